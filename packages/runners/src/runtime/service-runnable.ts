import { type Periodic, type Runnable, runEvery, type StageHealth, type StageState } from '@tm/pipeline-core';

/** What a {@link serviceRunnable} runs: how it starts and stops, and whether it can work now. */
export interface ServiceBody {
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Can the unit do its work now (its dependencies answer)? Reported as `ready`. */
  ready?: () => boolean;
  /** Why not ready, for /readyz. */
  reason?: () => string | null;
}

/**
 * A pipeline-core {@link Runnable} for a unit that is not a consuming stage — an HTTP server, a schedule — so
 * `runRunner` starts it, stops it on a signal and reports it on /healthz and /readyz. It never fails by itself:
 * a dependency that is down makes it unready, not dead (the process rides the outage out).
 */
export function serviceRunnable(name: string, body: ServiceBody): Runnable {
  let state: StageState = 'created';
  let resolveDone!: () => void;
  const done = new Promise<void>((resolve) => {
    resolveDone = resolve;
  });
  const stop = async () => {
    if (state === 'stopped' || state === 'created') {
      state = 'stopped';
      resolveDone();
      return;
    }
    state = 'stopping';
    try {
      await body.stop();
    } finally {
      state = 'stopped';
      resolveDone();
    }
  };
  return {
    name,
    get state() {
      return state;
    },
    done,
    async start() {
      if (state !== 'created') return;
      state = 'starting';
      await body.start();
      state = 'running';
    },
    stop,
    abort: stop,
    health(): StageHealth {
      const ready = state === 'running' && (body.ready?.() ?? true);
      return {
        stage: name,
        state,
        live: true,
        ready,
        inFlight: 0,
        uncommitted: 0,
        queued: 0,
        paused: false,
        assignedPartitions: 0,
        lastCommitAt: null,
        error: ready ? null : (body.reason?.() ?? null),
      };
    },
  };
}

/**
 * A {@link serviceRunnable} that runs `task` every `intervalMs` (never two runs at once); a failing run goes to
 * `onError` and the schedule goes on. Stopping waits for a run in progress.
 */
export function periodicRunnable(
  name: string,
  intervalMs: number,
  task: () => Promise<unknown>,
  onError: (error: unknown) => void,
): Runnable {
  let periodic: Periodic | undefined;
  return serviceRunnable(name, {
    start: async () => {
      periodic = runEvery(intervalMs, task, onError);
    },
    stop: async () => {
      await periodic?.stop();
    },
  });
}
