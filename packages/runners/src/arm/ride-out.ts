import { retryBackoff, ridingOut } from '@tm/pipeline-core';
import type { MonoTypeOperatorFunction } from 'rxjs';
import { isUnavailable } from '../http/unavailable.js';

/**
 * Retries work that failed because Redis, the database or the broker is down, for at least `rideOutMs` (backoff
 * from 100 ms doubling to 5 s, equal jitter), as the analyser rides out its services (ADR 0052): a call event waits
 * an outage out instead of failing the stage or being dead-lettered. Any other failure is not retried.
 */
export function rideOutRetry<T>(rideOutMs: number): MonoTypeOperatorFunction<T> {
  return retryBackoff<T>(
    ridingOut(
      { initialDelayMs: 100, maxDelayMs: 5000, jitter: 'equal', retriable: isUnavailable },
      rideOutMs,
    ),
  );
}
