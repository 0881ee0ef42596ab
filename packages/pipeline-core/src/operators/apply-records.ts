import { catchError, defer, EMPTY, map, mergeMap, type OperatorFunction, of, throwError } from 'rxjs';
import { attemptsOf } from '../errors.js';
import type { Committable, Emission, OutboundRecord } from '../record.js';
import type { RetryPolicy } from '../retry/backoff.js';
import { concurrentMapByKey } from './concurrent-map-by-key.js';
import { retryBackoff } from './retry-backoff.js';

/** Options of {@link applyRecords}. */
export interface ApplyRecordsOptions<T, O> {
  /** Records applied at once, across keys; one at a time per record key. */
  concurrency: number;
  /** How a failed apply is retried, its `retriable` saying which errors are worth it (default: not retried). */
  retry?: RetryPolicy;
  /**
   * For a failure that outlasted the retries: the error to fail the stream with when no record is at fault (the
   * store is down), or undefined to dead-letter the record (default: always dead-letter).
   */
  streamFailureOf?: (error: unknown) => Error | undefined;
  /** Why a record that was applied must still be dead-lettered (say, it names nothing known), or undefined to ack it. */
  rejectionOf?: (outcome: O, value: T) => Error | undefined;
  /** Sees every outcome (metrics, logs). */
  onOutcome?: (outcome: O, value: T) => void;
}

type Applied<T, O> = { ok: true; value: T; outcome: O } | { ok: false; value: T; error: unknown };

/**
 * Applies each record's value to a store with `apply` (one idempotent write per record, say a database
 * transaction keyed by the record's id), then settles the record: acked once `apply` resolved, or dead-lettered
 * when `rejectionOf` says so or `apply` failed for good. A failure is retried under `retry` first; one that
 * `streamFailureOf` blames on no record (the store stayed down through every retry) errors the stream instead, so
 * the stage restarts or rides the outage out and takes the uncommitted records again.
 *
 * Records run `concurrency` at a time, in order per record key (like {@link concurrentMapByKey}). Emits each
 * acked record with no outputs, for the sink to settle; dead-lettered records are not emitted.
 *
 * ## Example
 * ```ts
 * records.pipe(
 *   applyRecords((event) => store.apply(event), {
 *     concurrency: 4,
 *     retry: { maxAttempts: 8, retriable: isTransient },
 *     streamFailureOf: (err) =>
 *       err instanceof RetriesExhaustedError && isTransient(err.cause)
 *         ? new DependencyUnavailableError('the store', err)
 *         : undefined,
 *   }),
 * );
 * ```
 *
 * @param apply Writes one value; resolves with what it did.
 * @param options Concurrency, retries, and what a failure or an outcome means.
 */
export function applyRecords<T, O>(
  apply: (value: T) => Promise<O>,
  options: ApplyRecordsOptions<T, O>,
): OperatorFunction<Committable<T>, Emission> {
  const none: readonly OutboundRecord[] = [];
  const retry = options.retry ?? { maxAttempts: 1 };
  return (records) =>
    records.pipe(
      concurrentMapByKey(
        ({ value }) =>
          defer(() => apply(value)).pipe(
            retryBackoff(retry),
            map((outcome): Applied<T, O> => ({ ok: true, value, outcome })),
            catchError((error: unknown) => {
              const failure = options.streamFailureOf?.(error);
              return failure ? throwError(() => failure) : of<Applied<T, O>>({ ok: false, value, error });
            }),
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
