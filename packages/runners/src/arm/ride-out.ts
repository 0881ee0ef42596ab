import { retryBackoff } from '@tm/pipeline-core';
import type { MonoTypeOperatorFunction } from 'rxjs';
import { attemptsToRideOut } from '../analyser/ride-out-retry.js';
import { isUnavailable } from '../http/unavailable.js';

const INITIAL_DELAY_MS = 100;
const MAX_DELAY_MS = 5000;

/**
 * Retries work that failed because Redis, the database or the broker is down, for at least `rideOutMs` (backoff
 * from 100 ms doubling to 5 s, equal jitter), as the analyser rides out its services (ADR 0052): a call event waits
 * an outage out instead of failing the stage or being dead-lettered. Any other failure is not retried.
 */
export function rideOutRetry<T>(rideOutMs: number): MonoTypeOperatorFunction<T> {
  const settings = { rideOutMs, initialDelayMs: INITIAL_DELAY_MS, maxDelayMs: MAX_DELAY_MS };
  return retryBackoff<T>({
    maxAttempts: attemptsToRideOut(settings),
    initialDelayMs: INITIAL_DELAY_MS,
    maxDelayMs: MAX_DELAY_MS,
    jitter: 'equal',
    retriable: isUnavailable,
  });
}
