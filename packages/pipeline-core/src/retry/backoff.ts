/**
 * The one backoff of pipeline-core: how long to wait before retry number `n`, exponential with jitter. The
 * `retryBackoff` operator waits it between resubscriptions; imperative loops (a runner retrying its start, a
 * stream waiting after a failed import, a sender rescheduling an instruction) wait it too, so every retry in the
 * project grows the same way and is configured with the same {@link RetryPolicy}.
 */

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

/**
 * How a long-running thing tries again to connect to the broker (a stage starting or consuming again after an
 * outage, intake starting): 500 ms doubling to 5 s, no jitter. No bound on the tries: the caller bounds the time
 * (`outageLimitMs`) in `afterFailure` of {@link retryWithBackoff}, unready meanwhile.
 */
export const RECONNECT_BACKOFF: RetryPolicy = {
  maxAttempts: Number.POSITIVE_INFINITY,
  initialDelayMs: 500,
  maxDelayMs: 5000,
  jitter: 'none',
};

/**
 * The delay before retry number `retry` (1 for the first retry) under a policy:
 * `min(maxDelayMs, initialDelayMs × multiplier^(retry−1))`, then jittered.
 *
 * ## Example
 * ```ts
 * backoffDelay({ initialDelayMs: 500, maxDelayMs: 5_000, jitter: 'none' }, 3); // 2000
 * ```
 */
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
 * The policy with the fewest `maxAttempts` whose waits add up to at least `windowMs` however jitter draws them:
 * a retry that rides out an outage of that length (e.g. a service restarting) before it gives up. With `'equal'`
 * jitter every wait is at least half its nominal delay, with `'none'` all of it; `'full'` can draw every wait at
 * 0, so no number of tries rides out a window. The time the tries themselves take only lengthens it.
 *
 * ## Example
 * ```ts
 * ridingOut({ initialDelayMs: 100, maxDelayMs: 1_000, jitter: 'equal' }, 1_200).maxAttempts; // 6
 * ```
 */
export function ridingOut(policy: RetryPolicy, windowMs: number): RetryPolicy {
  const shortest: RetryPolicy = { ...policy, random: () => 0 };
  if (windowMs > 0 && !(backoffDelay(shortest, 1) > 0)) {
    throw new RangeError('no number of tries rides out a window when every wait may be 0 (full jitter)');
  }
  let waited = 0;
  let retries = 0;
  while (waited < windowMs) {
    retries += 1;
    waited += backoffDelay(shortest, retries);
  }
  return { ...policy, maxAttempts: retries + 1 };
}

/** The longest the waits between a policy's `maxAttempts` tries can add up to: every wait drawn at its longest. */
export function longestWait(policy: RetryPolicy): number {
  const longest: RetryPolicy = { ...policy, random: () => 1 };
  let total = 0;
  for (let retry = 1; retry < (policy.maxAttempts ?? 5); retry += 1) total += backoffDelay(longest, retry);
  return total;
}

/**
 * Calls `work` until it resolves, waiting {@link backoffDelay} after each failure: the imperative twin of the
 * `retryBackoff` operator, for a loop that retries a start or a reconnect. After failure number `n`,
 * `afterFailure(error, n)` runs first (to clean up, log, or give up by throwing: the loop then rejects with what it
 * threw); then an error that is not `retriable`, or the `maxAttempts`-th failure, ends the loop with that error.
 *
 * ## Example
 * ```ts
 * await retryWithBackoff({ maxAttempts: Infinity, initialDelayMs: 500, maxDelayMs: 5_000 }, () => connect(), (err) => {
 *   if (Date.now() > deadline) throw err;
 * });
 * ```
 * @param work One try; it is given its number, 1 for the first.
 * @return What the first successful try resolved with.
 */
export async function retryWithBackoff<T>(
  policy: RetryPolicy,
  work: (attempt: number) => Promise<T>,
  afterFailure?: (error: unknown, attempt: number) => void | Promise<void>,
): Promise<T> {
  const { maxAttempts = 5, retriable = () => true } = policy;
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work(attempt);
    } catch (error) {
      await afterFailure?.(error, attempt);
      if (!retriable(error) || attempt >= maxAttempts) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(policy, attempt)));
    }
  }
}
