import { type Logger, type Runnable, runStages, type StageMetrics, serveOps } from '@tm/pipeline-core';
import { collectDefaultMetrics, type Registry } from 'prom-client';

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
