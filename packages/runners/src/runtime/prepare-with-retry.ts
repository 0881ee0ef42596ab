import { retryWithBackoff } from '@tm/pipeline-core';
import type { Logger } from 'pino';

/**
 * Runs `prepare` (migrations, topics) until it succeeds, waiting `intervalMs` between tries, for at most
 * `rideOutMs`: a runner started while its database or broker is down waits for them instead of exiting at once.
 * Rejects with the last error once the time is up.
 */
export async function prepareWithRetry(
  prepare: () => Promise<void>,
  options: { rideOutMs: number; intervalMs?: number; logger: Logger; what: string },
): Promise<void> {
  const deadline = Date.now() + options.rideOutMs;
  const intervalMs = options.intervalMs ?? 2000;
  const every = { initialDelayMs: intervalMs, maxDelayMs: intervalMs, jitter: 'none' } as const;
  await retryWithBackoff(
    { ...every, maxAttempts: Number.POSITIVE_INFINITY },
    () => prepare(),
    (error, attempt) => {
      if (Date.now() >= deadline) throw error;
      options.logger.warn(
        { attempt, error: error instanceof Error ? error.message : String(error) },
        `${options.what} cannot start yet; trying again`,
      );
    },
  );
}
