import { type Logger, type Runnable, runStages, type StageMetrics, serveOps } from '@tm/pipeline-core';
import { collectDefaultMetrics, type Registry } from 'prom-client';
import { prepareWithRetry } from './prepare-with-retry.js';

export interface RunRunnerOptions {
  stages: readonly Runnable[];
  metrics: StageMetrics;
  logger: Logger;
  /** Port of /healthz, /readyz and /metrics; 0 picks a free one; undefined reads TM_OPS_PORT, else none. */
  opsPort?: number;
  shutdownTimeoutMs?: number;
  /** Work to do after the stages stopped (close pools, simulators...). */
  onStopped?: () => Promise<void>;
}

/**
 * What `tm run <stage>` does once its stages are built: serves the ops endpoint, runs the stages until SIGTERM or
 * SIGINT (graceful shutdown within the deadline) or a failure, and resolves with the process exit code. /metrics
 * carries Node's process metrics (resident memory, heap, event-loop lag, GC) beside the stages' own.
 */
export async function runRunner(options: RunRunnerOptions): Promise<number> {
  const port = options.opsPort ?? (process.env.TM_OPS_PORT ? Number(process.env.TM_OPS_PORT) : undefined);
  if (port !== undefined) collectProcessMetrics(options.metrics.registry);
  const ops =
    port === undefined
      ? undefined
      : await serveOps({ stages: options.stages, registry: options.metrics.registry, port, host: '0.0.0.0' });
  if (ops) options.logger.info({ url: ops.url }, 'ops endpoint: /healthz /readyz /metrics');
  try {
    return await runStages(options.stages, {
      logger: options.logger,
      shutdownTimeoutMs: options.shutdownTimeoutMs ?? 30_000,
    });
  } finally {
    try {
      await ops?.close();
    } finally {
      await options.onStopped?.();
    }
  }
}

/**
 * prom-client's default metrics in `registry`, once: `process_resident_memory_bytes`, `process_cpu_*`,
 * `nodejs_heap_size_*`, `nodejs_eventloop_lag_*`, `nodejs_gc_duration_seconds` and the rest (ADR 0129).
 */
function collectProcessMetrics(registry: Registry): void {
  if (registry.getSingleMetric('process_resident_memory_bytes')) return;
  collectDefaultMetrics({ register: registry });
}

/** What {@link prepareAndRun} needs. */
export interface PrepareAndRunOptions {
  /** What starts, for the log ("dialer", "ARM"). */
  what: string;
  /** Gets the runner ready (migrations, topics, ...); retried for `rideOutMs` while its dependencies are down. */
  prepare: () => Promise<void>;
  rideOutMs: number;
  /** The runnables once prepared. */
  stages: () => readonly Runnable[];
  /** Stops and closes everything: after the stages stopped, or when preparing failed. */
  close: () => Promise<void>;
  metrics: StageMetrics;
  logger: Logger;
  opsPort?: number | undefined;
}

/**
 * What `tm run <stage>` does for a runner with dependencies that may be down at start: prepares it with
 * {@link prepareWithRetry} (exit code 1 and everything closed when that gives up), then {@link runRunner}.
 */
export async function prepareAndRun(options: PrepareAndRunOptions): Promise<number> {
  const { logger } = options;
  try {
    await prepareWithRetry(options.prepare, { rideOutMs: options.rideOutMs, logger, what: options.what });
  } catch (err) {
    logger.error({ error: err instanceof Error ? err.message : String(err) }, `${options.what} cannot start`);
    await options.close();
    return 1;
  }
  return runRunner({
    stages: options.stages(),
    metrics: options.metrics,
    logger,
    ...(options.opsPort !== undefined ? { opsPort: options.opsPort } : {}),
    onStopped: options.close,
  });
}
