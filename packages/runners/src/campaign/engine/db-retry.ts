import {
  DependencyUnavailableError,
  RetriesExhaustedError,
  type RetryPolicy,
  retryBackoff,
} from '@tm/pipeline-core';
import { defer, type Observable } from 'rxjs';
import { CampaignDbError } from '../db/errors.js';

/**
 * How the engine retries a database call that failed with a retriable {@link CampaignDbError} (connection lost,
 * deadlock, a race on the one-open-task index): 8 tries in all, backoff from 100 ms doubling to 5 s, full jitter —
 * about 10 s in the worst case, enough for a PostgreSQL restart or failover.
 */
export const DB_RETRY: RetryPolicy = { maxAttempts: 8, initialDelayMs: 100, maxDelayMs: 5_000 };

/** True for a database failure that a retry may cure ({@link CampaignDbError.retriable}). */
export function isRetriableDbError(error: unknown): boolean {
  return error instanceof CampaignDbError && error.retriable;
}

/**
 * True when `error` is a retriable database failure that was still failing after every retry: the database is
 * unavailable, and no record is at fault. Callers error the stream with {@link databaseUnavailable} rather than
 * dead-letter a healthy record: the stage rides the outage out (ADR 0134) and takes the records again.
 */
export function isDatabaseUnavailable(error: unknown): boolean {
  return isRetriableDbError(error instanceof RetriesExhaustedError ? error.cause : error);
}

/**
 * Runs a database call, retrying it with backoff while it fails retriably (`policy`, default {@link DB_RETRY}).
 * Fails with a {@link RetriesExhaustedError} carrying the attempt count and the last error — at once for a
 * non-retriable error.
 */
export function withDbRetry<T>(call: () => Promise<T>, policy: RetryPolicy = DB_RETRY): Observable<T> {
  return defer(call).pipe(retryBackoff({ ...policy, retriable: isRetriableDbError }));
}

/** The error a stage's pipeline fails with when the database stayed unavailable through every retry. */
export function databaseUnavailable(error: unknown): DependencyUnavailableError {
  return new DependencyUnavailableError('the campaign database', error);
}
