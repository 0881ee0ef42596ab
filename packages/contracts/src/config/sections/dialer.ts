import { z } from 'zod';
import { millis } from './common.js';

/**
 * `dialer`: the adapter between the campaign engine and the telephony (tm-mightycall-adapter, thesis §2.6.6,
 * `tm run dialer`). Owned by @tm/runners. The telephony's URL, account key and operators' secret come from the
 * environment (TM_TELEPHONY_URL, TM_TELEPHONY_API_KEY, TM_TELEPHONY_OPERATOR_SECRET), never from here (ADRs 0082–0089).
 */
export const DialerSchema = z
  .object({
    /** Prefix of the dialer's consumer groups: `<prefix>.dial-tasks`, `<prefix>.operator-sessions`, `<prefix>.callback-requests`. */
    'consumer-group': z.string().min(1).default('tm-dialer'),
    /** How often each active operator's call events are polled. */
    'poll-interval-ms': millis.min(50).default(1000),
    /** Operators polled at once. */
    'poll-concurrency': z.number().int().positive().max(1024).default(64),
    /** How long one call to the telephony may take. */
    'telephony-timeout-ms': millis.min(50).default(5000),
    send: z
      .object({
        /** How often the sender looks for pending instructions when it found none last time. */
        'interval-ms': millis.min(5).default(50),
        /** Most instructions taken per round. */
        'batch-size': z.number().int().positive().max(10_000).default(500),
        /**
         * ADDs sent in one addTasks request (ADR 0170); 1 sends each with its own addTask. Click-to-calls and ADDs
         * looked up first (ADR 0169) always go one at a time.
         */
        'add-batch-size': z.number().int().positive().max(1000).default(100),
        /** Calls to the telephony in flight at once. */
        concurrency: z.number().int().positive().max(1024).default(64),
        /** Backoff of a failed send: the first retry after this long, doubling up to `max-delay-ms`; never given up. */
        'initial-delay-ms': millis.min(1).default(500),
        'max-delay-ms': millis.min(1).default(60_000),
        /** The circuit breaker opens after this many failed calls in a row (the telephony did not answer or 5xx). */
        'breaker-failures': z.number().int().positive().default(5),
        /** ...and lets one call through after this long. */
        'breaker-half-open-ms': millis.min(1).default(5000),
        /** A click-to-call not sent within this long is dropped (a call minutes later surprises the client; ADR 0097). */
        'callback-max-age-ms': millis.min(1000).default(30_000),
      })
      .strict()
      .prefault({}),
    operators: z
      .object({
        /** Authenticate again this long before an operator's token expires. */
        'refresh-before-expiry-ms': millis.default(60_000),
        /** An operator whose telephony login failed is tried again after this long. */
        'login-retry-ms': millis.min(100).default(5000),
      })
      .strict()
      .prefault({}),
    /** How long a record waits for the database or the broker before it is dead-lettered (ride-out). */
    'ride-out-ms': millis.min(1000).default(600_000),
  })
  .strict()
  .transform((d) => ({
    consumerGroup: d['consumer-group'],
    pollIntervalMs: d['poll-interval-ms'],
    pollConcurrency: d['poll-concurrency'],
    telephonyTimeoutMs: d['telephony-timeout-ms'],
    send: {
      intervalMs: d.send['interval-ms'],
      batchSize: d.send['batch-size'],
      addBatchSize: d.send['add-batch-size'],
      concurrency: d.send.concurrency,
      initialDelayMs: d.send['initial-delay-ms'],
      maxDelayMs: d.send['max-delay-ms'],
      breakerFailures: d.send['breaker-failures'],
      breakerHalfOpenMs: d.send['breaker-half-open-ms'],
      callbackMaxAgeMs: d.send['callback-max-age-ms'],
    },
    operators: {
      refreshBeforeExpiryMs: d.operators['refresh-before-expiry-ms'],
      loginRetryMs: d.operators['login-retry-ms'],
    },
    rideOutMs: d['ride-out-ms'],
  }));

export type DialerConfig = z.output<typeof DialerSchema>;
