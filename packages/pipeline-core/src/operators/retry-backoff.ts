import { defer, type MonoTypeOperatorFunction, retry, throwError, timer } from 'rxjs';
import { catchError } from 'rxjs/operators';
import { RetriesExhaustedError } from '../errors.js';

/** How to retry: exponential backoff with jitter, for transient errors only. */
export interface RetryPolicy {
  /** Tries in all, the first included (default 5). */
  maxAttempts?: number;
  /** Delay before the first retry, ms (default 100). */
  initialDelayMs?: number;
  /** Upper bound of any delay, ms (default 10,000). */
  maxDelayMs?: number;
  /** Growth per retry (default 2). */
  multiplier?: number;
  /**
   * `'full'` (the default) waits a random time in [0, delay]; `'equal'` in [delay/2, delay]; `'none'` exactly
   * delay. Jitter keeps many retrying clients from hammering a recovering service in step.
   */
  jitter?: 'full' | 'equal' | 'none';
  /** Which errors are worth retrying (default: all). A non-retriable error fails at once. */
  retriable?: (error: unknown) => boolean;
  /** Source of randomness for jitter, [0, 1) (default Math.random); tests pass a fixed one. */
  random?: () => number;
}

/** The delay before retry number `retry` (1 for the first retry) under a policy. */
export function backoffDelay(policy: RetryPolicy, retry: number): number {
  const {
    initialDelayMs = 100,
    maxDelayMs = 10_000,
    multiplier = 2,
    jitter = 'full',
    random = Math.random,
  } = policy;
  const base = Math.min(maxDelayMs, initialDelayMs * multiplier ** (retry - 1));
  switch (jitter) {
    case 'none':
      return base;
    case 'equal':
      return base / 2 + random() * (base / 2);
    default:
      return random() * base;
  }
}

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
