import {
  attemptsOf,
  type Committable,
  concurrentMapByKey,
  type Emission,
  type OutboundRecord,
  type RetryPolicy,
} from '@tm/pipeline-core';
import { catchError, EMPTY, map, mergeMap, type OperatorFunction, of, throwError } from 'rxjs';
import { databaseUnavailable, isDatabaseUnavailable, withDbRetry } from './db-retry.js';

/** Options of {@link applyRecords}. */
export interface ApplyRecordsOptions<T, O> {
  /** Records applied at once, across keys; one at a time per record key. */
  concurrency: number;
  /** Retries of retriable database failures (default {@link DB_RETRY}). */
  retry?: RetryPolicy;
  /** Why a record that was applied must still be dead-lettered (it names nothing known), or undefined to ack it. */
  rejectionOf?: (outcome: O, value: T) => Error | undefined;
  /** Sees every outcome (metrics, logs). */
  onOutcome?: (outcome: O, value: T) => void;
}

type Applied<T, O> = { ok: true; value: T; outcome: O } | { ok: false; value: T; error: unknown };

/**
 * Applies each record to the campaign database with `apply` — one transaction per record, idempotent by the
 * record's id — then settles it: acked once the transaction committed, or dead-lettered when `rejectionOf` says
 * so or `apply` fails with a non-retriable error. Retriable failures are retried with backoff; one that outlasts
 * the retries errors the stream with a `DependencyUnavailableError`: the database is down, no record is at fault,
 * and the stage rides the outage out, taking the uncommitted records again (ADR 0134).
 *
 * Records run `concurrency` at a time, in order per record key (the topics are keyed by operator).
 *
 * ## Example
 * ```ts
 * records.pipe(applyRecords((event) => applyCallEvent(db, event), { concurrency: 4 }));
 * ```
 */
export function applyRecords<T, O>(
  apply: (value: T) => Promise<O>,
  options: ApplyRecordsOptions<T, O>,
): OperatorFunction<Committable<T>, Emission> {
  const none: readonly OutboundRecord[] = [];
  return (records) =>
    records.pipe(
      concurrentMapByKey(
        ({ value }) =>
          withDbRetry(() => apply(value), options.retry).pipe(
            map((outcome): Applied<T, O> => ({ ok: true, value, outcome })),
            catchError((error: unknown) =>
              isDatabaseUnavailable(error)
                ? throwError(() => databaseUnavailable(error))
                : of<Applied<T, O>>({ ok: false, value, error }),
            ),
          ),
        { concurrency: options.concurrency, onError: 'error' },
      ),
      mergeMap((record) => {
        const applied = record.value;
        if (!applied.ok) {
          record.deadLetter(applied.error, attemptsOf(applied.error));
          return EMPTY;
        }
        options.onOutcome?.(applied.outcome, applied.value);
        const rejection = options.rejectionOf?.(applied.outcome, applied.value);
        if (rejection) {
          record.deadLetter(rejection, 1);
          return EMPTY;
        }
        return of(record.withValue(none));
      }),
    );
}
