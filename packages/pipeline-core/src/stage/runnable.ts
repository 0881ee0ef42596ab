import type { StageHealth, StageState } from './stage.js';

/**
 * Anything `runStages` and `serveOps` can run and report on: a {@link Stage}, or a runner-shaped unit that is not a
 * consume-transform-produce stage (a folder watcher, a scheduled dispatcher) but starts, stops gracefully within a
 * deadline, can be torn down, settles `done` when it ends, and reports its health.
 */
export interface Runnable {
  readonly name: string;
  readonly state: StageState;
  /** Settles when the unit stops (resolves) or fails for good (rejects). */
  readonly done: Promise<void>;
  start(): Promise<void>;
  stop(options?: { timeoutMs?: number }): Promise<void>;
  abort(): Promise<void>;
  health(): StageHealth;
}
