import { z } from 'zod';
import { millis } from './common.js';

/**
 * `simulators`: the stand-ins for BlackList, Casper, Abram and the telephony (`tm run simulators`, the embedded demo,
 * fault tests).
 * Owned by @tm/runners. Answers are deterministic given `seed` and the request; latency and HTTP 500s are drawn
 * from the seed too, so a run is repeatable. Port 0 picks a free port (tests).
 */
const rate = z.number().min(0).max(1);

const LatencySchema = z
  .object({
    /** Added to every answer. */
    'fixed-ms': millis.default(0),
    /** Plus a uniform random 0..jitter-ms. */
    'jitter-ms': millis.default(0),
  })
  .strict()
  .transform((l) => ({ fixedMs: l['fixed-ms'], jitterMs: l['jitter-ms'] }));

const faultKeys = (defaultPort: number) => ({
  port: z.number().int().min(0).max(65_535).default(defaultPort),
  latency: LatencySchema.prefault({}),
  /** Share of requests answered with HTTP 500 (transient failure). */
  'error-rate': rate.default(0),
});

const faultsOf = <T extends { port: number; latency: z.output<typeof LatencySchema>; 'error-rate': number }>(
  s: T,
) => ({ port: s.port, latency: s.latency, errorRate: s['error-rate'] });

const positive = z.number().positive();

/** Share of calls ending each way; weights, normalised by their sum (which must be positive). */
const OutcomesSchema = z
  .object({
    answered: z.number().min(0).default(0.6),
    'no-answer': z.number().min(0).default(0.25),
    busy: z.number().min(0).default(0.1),
    failed: z.number().min(0).default(0.05),
  })
  .strict()
  .refine((o) => o.answered + o['no-answer'] + o.busy + o.failed > 0, 'give at least one positive weight')
  .transform((o) => ({ ANSWERED: o.answered, NO_ANSWER: o['no-answer'], BUSY: o.busy, FAILED: o.failed }));

/** Talk time of an answered call in simulated seconds: log-normal around `median`, clamped to [min, max]. */
const TalkSecondsSchema = z
  .object({
    median: positive.default(90),
    /** Standard deviation of the logarithm (0: every call lasts `median`). */
    spread: z.number().min(0).max(3).default(0.5),
    min: z.number().int().min(1).default(5),
    max: z.number().int().min(1).default(900),
  })
  .strict()
  .refine((t) => t.min <= t.median && t.median <= t.max, 'min <= median <= max');

/** The telephony simulator (the Telephony port's provider, ADR 0081). */
const TelephonySchema = z
  .object({
    ...faultKeys(7104),
    /** An operator's bearer token lives this long (MightyCall's: 24 hours). */
    'token-lifetime-ms': millis.min(1).default(86_400_000),
    /** An operator's session closes after this long without requests (thesis 2.6.6.2: 15 minutes). */
    'session-idle-ms': millis.min(1).default(900_000),
    /** Simulated seconds per real second: 60 makes a 90-second call last 1.5 s. */
    'time-scale': positive.default(1),
    /** Real milliseconds from an operator taking a task to the call's STARTED event. */
    'ring-ms': millis.default(200),
    /** Simulated seconds an unanswered call (no answer, busy, failed) rings before its ENDED event. */
    'unanswered-seconds': z.number().min(0).default(20),
    /** Simulated seconds an operator rests after a call before taking the next one. */
    'wrap-up-seconds': z.number().min(0).default(0),
    outcomes: OutcomesSchema.prefault({}),
    'talk-seconds': TalkSecondsSchema.prefault({}),
    /** Share of added tasks the telephony loses: accepted, never called, unknown to a delete (fault tests). */
    'lost-task-rate': rate.default(0),
    /** Share of call events delivered twice (at-least-once delivery; fault tests). */
    'duplicate-event-rate': rate.default(0),
  })
  .strict()
  .prefault({})
  .transform((s) => ({
    ...faultsOf(s),
    tokenLifetimeMs: s['token-lifetime-ms'],
    sessionIdleMs: s['session-idle-ms'],
    timeScale: s['time-scale'],
    ringMs: s['ring-ms'],
    unansweredSeconds: s['unanswered-seconds'],
    wrapUpSeconds: s['wrap-up-seconds'],
    outcomes: s.outcomes,
    talkSeconds: s['talk-seconds'],
    lostTaskRate: s['lost-task-rate'],
    duplicateEventRate: s['duplicate-event-rate'],
  }));

export const SimulatorsSchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    seed: z.union([z.number().int(), z.string().min(1)]).default(1),
    blacklist: z
      .object({
        ...faultKeys(7101),
        /** YAML file of blacklisted phones and device ids, relative to the config file. None: an empty list. */
        file: z.string().min(1).optional(),
      })
      .strict()
      .prefault({})
      .transform((s) => ({ ...faultsOf(s), file: s.file })),
    casper: z
      .object({
        ...faultKeys(7102),
        /** Share of phones Casper knows nothing about (answered with `client: null`). */
        'unknown-client-rate': rate.default(0.1),
      })
      .strict()
      .prefault({})
      .transform((s) => ({ ...faultsOf(s), unknownClientRate: s['unknown-client-rate'] })),
    abram: z
      .object({
        ...faultKeys(7103),
        /** Share of subjects (device, phone, face, document) whose ML check fails. */
        'ml-fail-rate': rate.default(0.05),
        /** Share of subjects whose ML check ends in ERROR (the model could not decide). */
        'ml-error-rate': rate.default(0.01),
        /** Share of clients offered no product. */
        'no-products-rate': rate.default(0.05),
      })
      .strict()
      .prefault({})
      .transform((s) => ({
        ...faultsOf(s),
        mlFailRate: s['ml-fail-rate'],
        mlErrorRate: s['ml-error-rate'],
        noProductsRate: s['no-products-rate'],
      })),
    telephony: TelephonySchema,
  })
  .strict();

export type SimulatorsConfig = z.output<typeof SimulatorsSchema>;
export type TelephonySimulatorConfig = SimulatorsConfig['telephony'];
