import { defer, type MonoTypeOperatorFunction, retry, throwError, timer } from 'rxjs';
import { catchError } from 'rxjs/operators';
import { RetriesExhaustedError } from '../errors.js';
import { backoffDelay, type RetryPolicy } from '../retry/backoff.js';

/**
 * Resubscribes to the source when it fails, waiting longer each time (exponential backoff with jitter), up to
 * `maxAttempts` tries in all. When the tries are used up, or the error is not retriable, it fails with a
 * {@link RetriesExhaustedError} that carries the number of attempts made and the last error as its cause —
 * {@link concurrentMapByKey} puts that count in the dead-letter headers.
 *
 * The source must be cold (a `defer` around the call), so that resubscribing repeats the work.
 *
 * ## Example
 * ```ts
 * defer(() => fetchProfile(phone)).pipe(retryBackoff({ maxAttempts: 4, initialDelayMs: 50, retriable: isTransient }));
 * ```
 * @param policy Attempts, delays, jitter and which errors to retry.
 */
export function retryBackoff<T>(policy: RetryPolicy = {}): MonoTypeOperatorFunction<T> {
  const { maxAttempts = 5, retriable = () => true } = policy;
  if (!Number.isInteger(maxAttempts) || maxAttempts < 1) {
    throw new RangeError(`maxAttempts must be a positive integer, got ${maxAttempts}`);
  }
  return (source) =>
    defer(() => {
      let attempts = 1;
      return source.pipe(
        retry({
          count: maxAttempts - 1,
          delay: (error: unknown, retryCount: number) => {
            if (!retriable(error)) return throwError(() => error);
            attempts = retryCount + 1;
            return timer(backoffDelay(policy, retryCount));
          },
        }),
        catchError((error: unknown) => throwError(() => new RetriesExhaustedError(attempts, error))),
      );
    });
}
