import { exhaustMap, from, timer } from 'rxjs';

/** A running {@link every} schedule. */
export interface Periodic {
  /** Stops the schedule and waits for a run in progress to finish. */
  stop(): Promise<void>;
}

/**
 * Runs `task` every `intervalMs` (first run after one interval), never two runs at once: a tick that comes while
 * a run is in progress is skipped. A failing run goes to `onError` and the schedule goes on.
 */
export function every(
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
