import { z } from 'zod';
import { millis } from './common.js';

/**
 * `services`: how the analyser reaches the external systems of thesis §2.3 (BlackList, Casper, Abram).
 * Owned by @tm/filters, whose clients read it. Every key has a default, so `services: {}` (or no section at all)
 * points at the simulators on their default ports; URLs come from `${BLACKLIST_URL:...}`-style placeholders.
 *
 * Each call goes through, outermost first: retry (exponential backoff with jitter, transient failures only) →
 * circuit breaker → concurrency limit → timeout → HTTP.
 */
const RetrySchema = z
  .object({
    /** Retries after the first attempt: a call is tried at most `max-retries + 1` times. 0 disables retrying. */
    'max-retries': z.number().int().min(0).max(20).default(3),
    /** First backoff delay; later delays grow exponentially (decorrelated jitter) up to `max-delay-ms`. */
    'initial-delay-ms': millis.default(50),
    'max-delay-ms': millis.default(2000),
  })
  .strict()
  .transform((r) => ({
    maxRetries: r['max-retries'],
    initialDelayMs: r['initial-delay-ms'],
    maxDelayMs: r['max-delay-ms'],
  }));

const BreakerSchema = z
  .object({
    /** The breaker opens after this many transient failures in a row (each attempt counts). */
    'consecutive-failures': z.number().int().min(1).default(10),
    /** While open, calls fail at once; after this long one trial call is let through (half-open). */
    'half-open-after-ms': millis.default(5000),
  })
  .strict()
  .transform((b) => ({
    consecutiveFailures: b['consecutive-failures'],
    halfOpenAfterMs: b['half-open-after-ms'],
  }));

const ConcurrencySchema = z
  .object({
    /** Requests in flight to the service at once, per analyser process. */
    'max-in-flight': z.number().int().min(1).default(64),
    /** Calls waiting for a free slot; beyond this a call fails as retriable (overload). */
    'max-queued': z.number().int().min(0).default(100_000),
  })
  .strict()
  .transform((c) => ({ maxInFlight: c['max-in-flight'], maxQueued: c['max-queued'] }));

const clientKeys = (defaultUrl: string) => ({
  url: z.url().default(defaultUrl),
  /** Time allowed for one attempt (connect, send, receive the whole body). */
  'timeout-ms': z.number().int().min(1).default(2000),
  retry: RetrySchema.prefault({}),
  'circuit-breaker': BreakerSchema.prefault({}),
  concurrency: ConcurrencySchema.prefault({}),
});

const clientOf = (c: {
  url: string;
  'timeout-ms': number;
  retry: z.output<typeof RetrySchema>;
  'circuit-breaker': z.output<typeof BreakerSchema>;
  concurrency: z.output<typeof ConcurrencySchema>;
}) => ({
  url: c.url,
  timeoutMs: c['timeout-ms'],
  retry: c.retry,
  breaker: c['circuit-breaker'],
  concurrency: c.concurrency,
});

const BatchSchema = z
  .object({
    /** How long the first lookup of a batch waits for others to join it. */
    'window-ms': z.number().min(0).max(1000).default(2),
    /** Applications per search request (each adds one or two terms to the `$or`). */
    'max-size': z.number().int().min(1).max(10_000).default(100),
  })
  .strict()
  .transform((b) => ({ windowMs: b['window-ms'], maxSize: b['max-size'] }));

export const ServicesSchema = z
  .object({
    blacklist: z
      .object({ ...clientKeys('http://127.0.0.1:7101'), batch: BatchSchema.prefault({}) })
      .strict()
      .prefault({})
      .transform((c) => ({ ...clientOf(c), batch: c.batch })),
    casper: z.object(clientKeys('http://127.0.0.1:7102')).strict().prefault({}).transform(clientOf),
    abram: z.object(clientKeys('http://127.0.0.1:7103')).strict().prefault({}).transform(clientOf),
  })
  .strict();

export type ServicesConfig = z.output<typeof ServicesSchema>;
/** Settings of one service client (the `services.<name>` keys, camel-cased). */
export type ServiceClientConfig = ServicesConfig['casper'];
export type BlacklistClientConfig = ServicesConfig['blacklist'];
