import { defaultLogger, type Logger } from '../log.js';
import type { Runnable } from './runnable.js';

export interface RunStagesOptions {
  /** How long the stages get to drain and commit after a signal (default 30,000 ms). */
  shutdownTimeoutMs?: number;
  signals?: readonly NodeJS.Signals[];
  logger?: Logger;
}

/**
 * Starts stages and keeps them running until SIGTERM or SIGINT (or one of them fails), then stops them all
 * gracefully: fetching stops, in-flight records drain and are committed, connections close, all within the
 * deadline. Resolves with the process exit code: 0 after a clean stop, 1 when a stage failed. A second signal
 * during shutdown gives up waiting and resolves at once.
 */
export async function runStages(
  stages: readonly Runnable[],
  options: RunStagesOptions = {},
): Promise<number> {
  const log = options.logger ?? defaultLogger();
  const signals = options.signals ?? ['SIGTERM', 'SIGINT'];
  const timeoutMs = options.shutdownTimeoutMs ?? 30_000;
  let resolveStop!: (reason: string) => void;
  const stopRequested = new Promise<string>((resolve) => {
    resolveStop = resolve;
  });
  let hurry!: () => void;
  const hurried = new Promise<void>((resolve) => {
    hurry = resolve;
  });
  let signalled = false;
  const onSignal = (signal: NodeJS.Signals) => {
    if (signalled) {
      log.warn({ signal }, 'second signal: giving up on graceful shutdown');
      hurry();
      return;
    }
    signalled = true;
    resolveStop(signal);
  };
  for (const s of signals) process.on(s, onSignal);
  let failed = false;
  try {
    await Promise.all(stages.map((s) => s.start()));
    const failure = Promise.race(stages.map((s) => s.done.then(() => new Promise<string>(() => {}))));
    const reason = await Promise.race([
      stopRequested,
      failure.catch((err: unknown) => `failure: ${String(err)}`),
    ]);
    failed = reason.startsWith('failure');
    log.info({ reason, timeoutMs }, 'shutting down');
    const stopped = Promise.allSettled(stages.map((s) => s.stop({ timeoutMs })));
    await Promise.race([stopped, hurried]);
  } catch (err) {
    failed = true;
    log.error({ error: err instanceof Error ? err.message : String(err) }, 'stages failed to start');
    await Promise.allSettled(stages.map((s) => s.abort()));
  } finally {
    for (const s of signals) process.off(s, onSignal);
  }
  failed ||= stages.some((s) => s.state === 'failed');
  return failed ? 1 : 0;
}
