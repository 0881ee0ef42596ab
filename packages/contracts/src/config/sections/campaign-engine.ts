import { z } from 'zod';
import { commaList, millis } from './common.js';

/**
 * `campaign-engine`: the campaign engine's schedule and each campaign's calling rules (thesis §2.6.3 leaves them
 * to "the configuration file"). Owned by the campaign engine. Per-campaign keys live here, keyed by `campaign-id`,
 * not in `events-analyser.campaigns[]` (ADR 0032): `defaults` apply to every campaign, and an entry of `campaigns`
 * overrides them for one campaign, which must exist in `events-analyser.campaigns`.
 */

/** Campaign domains: the thesis's DOMAINS enum type (table TM$CAMPAIGNS). */
export const CAMPAIGN_DOMAINS = ['LOANS'] as const;
export type CampaignDomain = (typeof CAMPAIGN_DOMAINS)[number];

const timeOfDay = z
  .string()
  .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day as HH:MM, from 00:00 to 23:59');

/** An IANA time zone name that this Node knows (Europe/Moscow, Asia/Vladivostok). */
export const timeZoneName = z.string().refine((name) => isTimeZone(name), {
  message: 'not an IANA time zone name (like Europe/Moscow)',
});

/** An IANA zone name's shape: letters first, so offsets like `+03:00` (which PostgreSQL reads POSIX-inverted) fail. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/;

/**
 * The canonical spelling of an IANA time zone this runtime knows (`europe/moscow` → `Europe/Moscow`), or undefined
 * for anything else, offsets included.
 */
export function canonicalTimeZone(name: string): string | undefined {
  if (!ZONE_NAME.test(name)) return undefined;
  if (zoneCache.has(name)) return zoneCache.get(name);
  let canonical: string | undefined;
  try {
    canonical = new Intl.DateTimeFormat('en-US', { timeZone: name }).resolvedOptions().timeZone;
  } catch {
    canonical = undefined;
  }
  // Building a DateTimeFormat costs ~0.1 ms: remember answers (names are few; the bound stops a flood of junk).
  if (zoneCache.size < ZONE_CACHE_LIMIT) zoneCache.set(name, canonical);
  return canonical;
}

const ZONE_CACHE_LIMIT = 2048;
const zoneCache = new Map<string, string | undefined>();

/** True when `name` is an IANA time zone name this runtime knows. */
export function isTimeZone(name: string): boolean {
  return canonicalTimeZone(name) !== undefined;
}

/** The end of a window: a time of day, or 24:00 for the end of the day (so 00:00–24:00 is the whole day). */
const endOfWindow = z
  .string()
  .regex(
    /^(([01]\d|2[0-3]):[0-5]\d|24:00)$/,
    'a time of day as HH:MM, from 00:00 to 24:00 (the end of the day)',
  );

const CallingHoursSchema = z
  .object({ from: timeOfDay, to: endOfWindow })
  .strict()
  .refine((h) => h.from !== h.to, { message: 'from and to are equal: the window would be empty' });

/** The keys a campaign may set; every one optional here, filled from `defaults`. */
const campaignKeys = {
  /** Local time window, in the client's time zone, when calls may be dispatched; `to` before `from` spans midnight. */
  'calling-hours': CallingHoursSchema.optional(),
  /** After a result that means "call again", the task waits this long before it is NEW again. */
  'recall-block-minutes': z.number().int().min(0).optional(),
  /** Most calls (dispatches) of one task, the first included. */
  'attempt-limit': z.number().int().min(1).optional(),
  /** Communication `result` values (as the operator saved them) that mean "call again". */
  'call-again-results': commaList.optional(),
};

const CampaignEngineCampaignSchema = z
  .object({
    'campaign-id': z.number().int().positive(),
    domain: z.enum(CAMPAIGN_DOMAINS).optional(),
    ...campaignKeys,
  })
  .strict();

export const CampaignEngineSchema = z
  .object({
    /** Prefix of the engine's consumer groups: `<prefix>.candidates`, `<prefix>.call-events`, `<prefix>.results`. */
    'consumer-group': z.string().min(1).default('tm-campaign-engine'),
    dispatch: z
      .object({
        /** How often the scheduler looks for due NEW tasks. */
        'interval-ms': millis.min(10).default(1000),
        /** Most tasks claimed in one transaction. */
        'batch-size': z.number().int().positive().default(1000),
        /**
         * A task IN_PROGRESS whose call has not started this long after its dispatch (the telephony lost it, or no
         * operator was ready) gets a DELETE for its attempt and goes back to the queue, or is closed when it used
         * its attempts (ADR 0087). 0 turns the check off.
         */
        'call-start-timeout-ms': millis.default(600_000),
        /** How often IN_PROGRESS tasks are checked against that timeout. */
        'timeout-check-interval-ms': millis.min(100).default(10_000),
      })
      .strict()
      .prefault({}),
    ingest: z
      .object({
        /** Most candidates stored in one transaction. */
        'batch-size': z.number().int().positive().default(1000),
        /** How long a partial batch waits for more candidates before it is stored. */
        'linger-ms': millis.default(50),
        /** Batches stored at once, each holding its own clients (a client's candidates stay in order). */
        concurrency: z.number().int().positive().max(64).default(2),
        /**
         * Refresh the planner statistics (ANALYZE) once this many tasks were created since the last refresh, and
         * at least as many as the engine had created before it (ADR 0036).
         */
        'analyze-after-rows': z.number().int().positive().default(10_000),
      })
      .strict()
      .prefault({}),
    housekeeping: z
      .object({
        /** How often published dial tasks and consumed event ids are pruned. */
        'interval-ms': millis.min(1000).default(3_600_000),
        /** Published dial tasks older than this are deleted (the ADD of a task still IN_PROGRESS is kept). */
        'keep-published-dial-tasks-hours': z.number().positive().default(24),
        /**
         * Ids of applied call events and results older than this are forgotten: keep it above the retention of
         * tm-call-events and tm-communication-results, or a redelivery older than it would be applied twice.
         */
        'keep-consumed-event-ids-hours': z.number().positive().default(168),
      })
      .strict()
      .prefault({}),
    /** The client's time zone when Casper does not know it. */
    'default-time-zone': timeZoneName.default('Europe/Moscow'),
    defaults: z
      .object({
        domain: z.enum(CAMPAIGN_DOMAINS).default('LOANS'),
        'calling-hours': CallingHoursSchema.default({ from: '09:00', to: '21:00' }),
        'recall-block-minutes': z.number().int().min(0).default(120),
        'attempt-limit': z.number().int().min(1).default(3),
        'call-again-results': commaList.default([]),
      })
      .strict()
      .prefault({}),
    campaigns: z.array(CampaignEngineCampaignSchema).default([]),
  })
  .strict()
  .superRefine((engine, ctx) => {
    const seen = new Set<number>();
    engine.campaigns.forEach((c, i) => {
      if (seen.has(c['campaign-id'])) {
        ctx.addIssue({
          code: 'custom',
          path: ['campaigns', i, 'campaign-id'],
          message: `duplicate campaign id ${c['campaign-id']}`,
        });
      }
      seen.add(c['campaign-id']);
    });
  });

/** The calling rules of one campaign, defaults applied. */
export interface CampaignEngineRules {
  campaignId: number;
  domain: CampaignDomain;
  /**
   * HH:MM in the client's time zone; `to` is exclusive and may be 24:00 (00:00–24:00 is the whole day); `to` earlier
   * than `from` means the window spans midnight.
   */
  callingHours: { from: string; to: string };
  recallBlockMinutes: number;
  attemptLimit: number;
  callAgainResults: string[];
}

/** `campaign-engine` as the engine reads it: one rules entry per campaign of `events-analyser.campaigns`. */
export interface CampaignEngineConfig {
  consumerGroup: string;
  dispatch: {
    intervalMs: number;
    batchSize: number;
    callStartTimeoutMs: number;
    timeoutCheckIntervalMs: number;
  };
  ingest: { batchSize: number; lingerMs: number; concurrency: number; analyzeAfterRows: number };
  housekeeping: { intervalMs: number; keepPublishedDialTasksMs: number; keepConsumedEventIdsMs: number };
  defaultTimeZone: string;
  campaigns: CampaignEngineRules[];
}

type CampaignEngineSection = z.output<typeof CampaignEngineSchema>;

/**
 * Merges `defaults` with each campaign's own keys, for every campaign id the analyser knows (`campaignIds`, in
 * order). Ids of `campaign-engine.campaigns` that the analyser does not know are reported by
 * {@link unknownEngineCampaigns}.
 */
export function resolveCampaignEngine(
  section: CampaignEngineSection,
  campaignIds: readonly number[],
): CampaignEngineConfig {
  const own = new Map(section.campaigns.map((c) => [c['campaign-id'], c]));
  const d = section.defaults;
  const hours = (h: number) => Math.round(h * 3_600_000);
  return {
    consumerGroup: section['consumer-group'],
    dispatch: {
      intervalMs: section.dispatch['interval-ms'],
      batchSize: section.dispatch['batch-size'],
      callStartTimeoutMs: section.dispatch['call-start-timeout-ms'],
      timeoutCheckIntervalMs: section.dispatch['timeout-check-interval-ms'],
    },
    ingest: {
      batchSize: section.ingest['batch-size'],
      lingerMs: section.ingest['linger-ms'],
      concurrency: section.ingest.concurrency,
      analyzeAfterRows: section.ingest['analyze-after-rows'],
    },
    housekeeping: {
      intervalMs: section.housekeeping['interval-ms'],
      keepPublishedDialTasksMs: hours(section.housekeeping['keep-published-dial-tasks-hours']),
      keepConsumedEventIdsMs: hours(section.housekeeping['keep-consumed-event-ids-hours']),
    },
    defaultTimeZone: section['default-time-zone'],
    campaigns: campaignIds.map((campaignId) => {
      const c = own.get(campaignId);
      return {
        campaignId,
        domain: c?.domain ?? d.domain,
        callingHours: c?.['calling-hours'] ?? d['calling-hours'],
        recallBlockMinutes: c?.['recall-block-minutes'] ?? d['recall-block-minutes'],
        attemptLimit: c?.['attempt-limit'] ?? d['attempt-limit'],
        callAgainResults: c?.['call-again-results'] ?? d['call-again-results'],
      };
    }),
  };
}

/** Indexes (into `campaign-engine.campaigns`) of entries whose campaign id is not in `campaignIds`. */
export function unknownEngineCampaigns(
  section: CampaignEngineSection,
  campaignIds: readonly number[],
): { index: number; campaignId: number }[] {
  const known = new Set(campaignIds);
  return section.campaigns
    .map((c, index) => ({ index, campaignId: c['campaign-id'] }))
    .filter((c) => !known.has(c.campaignId));
}
