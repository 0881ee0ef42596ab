import { z } from 'zod';
import { millis } from './common.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** One window size: how long out-of-order records still count, and how long values are kept for queries. */
const windowSchema = (defaults: { grace: number; retention: number }) =>
  z
    .object({
      /** Records up to this late (in event time, behind the latest seen) still count; later ones are dropped and counted. */
      'grace-ms': millis.default(defaults.grace),
      /** How long a window is kept, from its start (at least its size plus the grace). */
      'retention-ms': millis.default(defaults.retention),
    })
    .strict()
    .prefault({})
    .transform((w) => ({ graceMs: w['grace-ms'], retentionMs: w['retention-ms'] }));

/**
 * `kpi`: the live KPI stage (`tm run kpi`, issue 14). Owned by @tm/runners. It reads every topic of the pipeline,
 * keeps per-minute, per-hour and per-day aggregates per campaign and data stream (per operator: hours and days) in
 * windows starting at Moscow midnight, and serves them as a JSON API, Prometheus metrics and a dashboard page.
 */
export const KpiSchema = z
  .object({
    /** Consumer group, prefix of the changelog topics (`<id>-<store>-changelog`) and transactional id. */
    'application-id': z.string().min(1).default('tm-kpi'),
    http: z
      .object({
        /** Where the dashboard and the API listen. */
        host: z.string().min(1).default('127.0.0.1'),
        port: z.coerce.number().int().min(0).max(65_535).default(9470),
      })
      .strict()
      .prefault({}),
    /** How often changed aggregates are made durable and published to the API, by the wall clock. */
    'flush-interval-ms': z.number().int().min(10).default(200),
    /** Records fetched and not yet durable, at most; partitions pause above it. */
    'max-in-flight': z.number().int().positive().default(50_000),
    /** Offset of the local day from UTC (Moscow: +3 h, no daylight saving since 2014). */
    'utc-offset-hours': z.number().int().min(-12).max(14).default(3),
    windows: z
      .object({
        minute: windowSchema({ grace: 5 * 60_000, retention: 3 * HOUR }),
        hour: windowSchema({ grace: 15 * 60_000, retention: 2 * DAY }),
        day: windowSchema({ grace: HOUR, retention: 35 * DAY }),
      })
      .strict()
      .prefault({}),
    /** Results (CommunicationResult.result of a FIXED save) that count as a conversion. */
    'conversion-results': z.array(z.string().min(1)).default(['AGREED', 'WILL_FILL_IN_LATER']),
    /** The ARM's limit for saving a result after an answered call (thesis §2.6.5). */
    'result-limit-seconds': z.number().int().positive().default(60),
    /**
     * How long an entry of the KPI's own tables (a task's campaign, an open draft, a client's open task) is kept
     * without news before it is dropped, in event time.
     */
    'state-ttl-hours': z.number().int().positive().default(168),
    /**
     * How long (wall clock) a call event or a result waits for its task's dial task or its call's end, when those
     * are read later (another topic, read behind), before it counts without them (under campaign `?`).
     */
    'join-wait-ms': millis.default(600_000),
    /** How often those tables are swept. */
    'housekeeping-interval-ms': millis.default(60_000),
  })
  .strict()
  .transform((k) => ({
    applicationId: k['application-id'],
    http: k.http,
    flushIntervalMs: k['flush-interval-ms'],
    maxInFlight: k['max-in-flight'],
    utcOffsetHours: k['utc-offset-hours'],
    windows: k.windows,
    conversionResults: k['conversion-results'],
    resultLimitSeconds: k['result-limit-seconds'],
    stateTtlMs: k['state-ttl-hours'] * HOUR,
    joinWaitMs: k['join-wait-ms'],
    housekeepingIntervalMs: k['housekeeping-interval-ms'],
  }));

export type KpiConfig = z.output<typeof KpiSchema>;
