import { applyRecords, type Committable, type Emission, type RetryPolicy } from '@tm/pipeline-core';
import type { OperatorFunction } from 'rxjs';
import { DB_RETRY, databaseUnavailable, isDatabaseUnavailable, isRetriableDbError } from './db-retry.js';

/** Options of {@link applyToDatabase}. */
export interface ApplyToDatabaseOptions<T, O> {
  /** Records applied at once, across keys; one at a time per record key. */
  concurrency: number;
  /** Retries of retriable database failures (default {@link DB_RETRY}). */
  retry?: RetryPolicy;
  /** Why a record that was applied must still be dead-lettered (it names nothing known), or undefined to ack it. */
  rejectionOf?: (outcome: O, value: T) => Error | undefined;
  /** Sees every outcome (metrics, logs). */
  onOutcome?: (outcome: O, value: T) => void;
}

/**
 * pipeline-core's `applyRecords` against the campaign database — one transaction per record, idempotent by the
 * record's id: retriable `CampaignDbError`s are retried with backoff ({@link DB_RETRY}); one that outlasts the
 * retries errors the stream with a `DependencyUnavailableError`: the database is down, no record is at fault, and
 * the stage rides the outage out, taking the uncommitted records again (ADR 0134). A non-retriable failure, or an
 * outcome `rejectionOf` rejects, dead-letters the record.
 *
 * ## Example
 * ```ts
 * records.pipe(applyToDatabase((event) => applyCallEvent(db, event), { concurrency: 4 }));
 * ```
 */
export function applyToDatabase<T, O>(
  apply: (value: T) => Promise<O>,
  options: ApplyToDatabaseOptions<T, O>,
): OperatorFunction<Committable<T>, Emission> {
  return applyRecords(apply, {
    ...options,
    retry: { ...(options.retry ?? DB_RETRY), retriable: isRetriableDbError },
    streamFailureOf: (error) => (isDatabaseUnavailable(error) ? databaseUnavailable(error) : undefined),
  });
}
