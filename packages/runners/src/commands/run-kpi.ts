import { loadPipelineConfig } from '@tm/contracts';
import { StageMetrics } from '@tm/pipeline-core';
import type { Command } from 'commander';
import { buildKpiHttp } from '../kpi/kpi-http.js';
import { createKpiService } from '../kpi/kpi-service.js';
import { createLogger } from '../runtime/logger.js';
import { runRunner } from '../runtime/run-runner.js';
import { transportFor } from '../runtime/transport.js';
import { configOption, configPathOf, portOption } from './config-option.js';
import { commandGroup } from './groups.js';

/** Options of `tm run kpi`. */
export interface RunKpiOptions {
  config?: string;
  /** Port of /healthz, /readyz, /metrics (default: $TM_OPS_PORT, else none). */
  opsPort?: number;
  /** Port of the dashboard and the API (default: kpi.http.port of the config; 0 picks a free one). */
  port?: number;
  host?: string;
}

/**
 * `tm run kpi`: the KPI stage as a process of its own. Restores its state from the changelog topics, serves the
 * dashboard and the API on `kpi.http`, and runs until SIGTERM or SIGINT (graceful) or a failure. Resolves with the
 * exit code: 0 after a clean stop, 1 when it failed.
 */
export async function runKpi(options: RunKpiOptions = {}): Promise<number> {
  const config = loadPipelineConfig(configPathOf(options));
  const logger = createLogger('kpi');
  const metrics = new StageMetrics();
  const transport = transportFor(config);
  const kpi = createKpiService({ config, transport, logger, metrics });
  const http = buildKpiHttp(kpi);
  const close = async () => {
    await http.close();
    await transport.close();
  };
  try {
    await kpi.prepare();
    const url = await http.listen({
      host: options.host ?? config.kpi.http.host,
      port: options.port ?? config.kpi.http.port,
    });
    logger.info({ url: `${url}/dashboard/`, api: `${url}/api/kpi/v1/` }, 'KPI dashboard');
  } catch (err) {
    logger.error({ error: err instanceof Error ? err.message : String(err) }, 'KPI stage cannot start');
    await kpi
      .runnable()
      .abort()
      .catch(() => {});
    await close();
    return 1;
  }
  return runRunner({
    stages: [kpi.runnable()],
    metrics,
    logger,
    ...(options.opsPort !== undefined ? { opsPort: options.opsPort } : {}),
    onStopped: close,
  });
}

/** `tm run kpi [--config FILE] [--ops-port N] [--port N] [--host H]`. */
export function register(program: Command): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command('kpi')
    .description(
      'Run the live KPIs: aggregate every topic per minute, hour and day (Moscow time) per campaign, data stream and ' +
        'operator; serve the dashboard and /api/kpi/v1/ on kpi.http, Prometheus metrics on the ops port.',
    )
    .addOption(configOption())
    .option(
      '--ops-port <port>',
      'serve /healthz, /readyz and /metrics on this port (0: a free one)',
      portOption('--ops-port'),
    )
    .option(
      '--port <port>',
      'dashboard and API port (default: kpi.http.port; 0: a free one)',
      portOption('--port'),
    )
    .option('--host <host>', 'dashboard and API address (default: kpi.http.host)')
    .action(async (options: RunKpiOptions) => {
      process.exit(await runKpi(options));
    });
}
