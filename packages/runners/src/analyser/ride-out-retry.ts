import { isRetriable } from '@tm/filters';
import { backoffDelay, type RetryPolicy } from '@tm/pipeline-core';

/** How long an application waits for its services (`events-analyser.retry`, camel-cased). */
export interface RideOutSettings {
  /** An outage at least this long delays applications but dead-letters none. */
  readonly rideOutMs: number;
  /** The nominal wait before the first retry; each later one doubles, up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

const MULTIPLIER = 2;

/** The nominal wait before retry number `retry` (1 for the first): the policy's backoff without its jitter. */
function nominalDelay(settings: RideOutSettings, retry: number): number {
  const { initialDelayMs, maxDelayMs } = settings;
  return backoffDelay({ initialDelayMs, maxDelayMs, multiplier: MULTIPLIER, jitter: 'none' }, retry);
}

/**
 * The fewest attempts (the first included) whose backoff waits add up to at least `rideOutMs` even when jitter
 * draws every wait at its shortest. Waits use "equal" jitter — each is drawn from [nominal/2, nominal] — so half
 * the nominal waits must cover the window. The time the attempts themselves take only lengthens it.
 */
export function attemptsToRideOut(settings: RideOutSettings): number {
  let waited = 0;
  let retries = 0;
  while (waited < settings.rideOutMs) {
    retries += 1;
    waited += nominalDelay(settings, retries) / 2;
  }
  return retries + 1;
}

/**
 * The longest an application can wait in backoff before it is dead-lettered: the nominal waits of every retry
 * (jitter drawn at its longest). With {@link attemptsToRideOut}, an application facing an outage is dead-lettered
 * after waiting between `rideOutMs` and about twice that, plus the time its attempts took.
 */
export function longestRideOut(settings: RideOutSettings): number {
  const retries = attemptsToRideOut(settings) - 1;
  let total = 0;
  for (let retry = 1; retry <= retries; retry += 1) total += nominalDelay(settings, retry);
  return total;
}

/**
 * The retry policy of an application's evaluation (for `retryBackoff` of @tm/pipeline-core): retriable failures
 * only (a service that could not answer: `retriable: true`), exponential backoff with equal jitter, and enough
 * attempts to ride out an outage of `rideOutMs`. Anything else — a service refusing the request, an unreadable
 * answer, a bug — fails at once, and the application is dead-lettered.
 *
 * @param random Source of jitter in [0, 1) (tests pass a fixed one).
 */
export function rideOutRetryPolicy(settings: RideOutSettings, random?: () => number): RetryPolicy {
  return {
    maxAttempts: attemptsToRideOut(settings),
    initialDelayMs: settings.initialDelayMs,
    maxDelayMs: settings.maxDelayMs,
    multiplier: MULTIPLIER,
    jitter: 'equal',
    retriable: isRetriable,
    ...(random ? { random } : {}),
  };
}
