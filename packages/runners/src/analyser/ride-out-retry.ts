import { isRetriable } from '@tm/filters';
import { longestWait, type RetryPolicy, ridingOut } from '@tm/pipeline-core';

/** How long an application waits for its services (`events-analyser.retry`, camel-cased). */
export interface RideOutSettings {
  /** An outage at least this long delays applications but dead-letters none. */
  readonly rideOutMs: number;
  /** The nominal wait before the first retry; each later one doubles, up to `maxDelayMs`. */
  readonly initialDelayMs: number;
  readonly maxDelayMs: number;
}

const MULTIPLIER = 2;

/** The backoff of an application's retries, without its bound: equal jitter, so every wait is at least half. */
function backoffOf(settings: RideOutSettings, random?: () => number): RetryPolicy {
  return {
    initialDelayMs: settings.initialDelayMs,
    maxDelayMs: settings.maxDelayMs,
    multiplier: MULTIPLIER,
    jitter: 'equal',
    retriable: isRetriable,
    ...(random ? { random } : {}),
  };
}

/**
 * The fewest attempts (the first included) whose backoff waits add up to at least `rideOutMs` even when jitter
 * draws every wait at its shortest (half the nominal wait). The time the attempts themselves take only lengthens it.
 */
export function attemptsToRideOut(settings: RideOutSettings): number {
  return ridingOut(backoffOf(settings), settings.rideOutMs).maxAttempts as number;
}

/**
 * The longest an application can wait in backoff before it is dead-lettered: the nominal waits of every retry
 * (jitter drawn at its longest). With {@link attemptsToRideOut}, an application facing an outage is dead-lettered
 * after waiting between `rideOutMs` and about twice that, plus the time its attempts took.
 */
export function longestRideOut(settings: RideOutSettings): number {
  return longestWait(rideOutRetryPolicy(settings));
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
  return ridingOut(backoffOf(settings, random), settings.rideOutMs);
}
