import { exhaustMap, from, timer } from 'rxjs';

/** A running {@link runEvery} schedule. */
export interface Periodic {
  /** Stops the schedule and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (first run after one interval), never two runs at once: a tick that comes while
 * a run is in progress is skipped. A failing run goes to `onError` and the schedule goes on.
 *
 * For the periodic work beside a stage (a dispatcher's rounds, housekeeping, a dependency probe); give it a
 * lifecycle by wrapping it in a `Runnable` when `/readyz` should cover it.
 *
 * ## Example
 * ```ts
 * const sweep = runEvery(60_000, () => pruneOldRows(db), (err) => log.warn({ err }, 'housekeeping failed'));
 * // ...
 * await sweep.stop(); // no run after this, and the one in progress (if any) has finished
 * ```
 */
export function runEvery(
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): Periodic {
  let running: Promise<unknown> = Promise.resolve();
  const subscription = timer(intervalMs, intervalMs)
    .pipe(
      exhaustMap(() => {
        running = task().catch(onError);
        return from(running);
      }),
    )
    .subscribe();
  return {
    stop: async () => {
      subscription.unsubscribe();
      await running;
    },
  };
}
