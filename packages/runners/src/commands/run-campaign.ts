import { loadPipelineConfig } from '@tm/contracts';
import { StageMetrics } from '@tm/pipeline-core';
import type { Command } from 'commander';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { createCampaignEngine } from '../campaign/engine/engine.js';
import { createLogger } from '../runtime/logger.js';
import { prepareAndRun } from '../runtime/run-runner.js';
import { transportFor } from '../runtime/transport.js';
import { configOption, configPathOf, portOption } from './config-option.js';
import { commandGroup } from './groups.js';

/** Options of `tm run campaign`. */
export interface RunCampaignOptions {
  config?: string;
  databaseUrl?: string;
  /** Port of /healthz, /readyz, /metrics (default: $TM_OPS_PORT, else none). */
  opsPort?: number;
}

/**
 * `tm run campaign`: the campaign engine as a process of its own on the config's transport and database. Applies
 * the migrations and upserts the campaigns, then runs until SIGTERM or SIGINT (graceful) or a failure. Resolves
 * with the exit code: 0 after a clean stop, 1 when it failed.
 */
export async function runCampaignEngine(options: RunCampaignOptions = {}): Promise<number> {
  const config = loadPipelineConfig(configPathOf(options));
  const logger = createLogger('campaign-engine');
  const metrics = new StageMetrics();
  const transport = transportFor(config);
  const db = connectCampaignDb(options.databaseUrl ?? config.infra.databaseUrl);
  const engine = createCampaignEngine({ config, transport, db, logger, metrics });
  const close = async () => {
    await engine.stop();
    await transport.close();
    await db.destroy();
  };
  // The database or the broker not there yet: unready and waiting, up to the outage limit (ADR 0134).
  return prepareAndRun({
    what: 'campaign engine',
    prepare: () => engine.prepare(),
    rideOutMs: config.infra.kafka.outageLimitMs,
    stages: () => engine.stages,
    close,
    metrics,
    logger,
    opsPort: options.opsPort,
  });
}

/** `tm run campaign [--config FILE] [--database-url URL] [--ops-port N]`. */
export function register(program: Command): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command('campaign')
    .addOption(configOption())
    .description(
      'Run the campaign engine: store tml-candidates as campaign tasks, dispatch due tasks to tm-dial-tasks on the ' +
        'schedule, apply tm-call-events and tm-communication-results. Migrates the database at start.',
    )
    .option('--database-url <url>', 'PostgreSQL URL (default: infra.database.url of the config)')
    .option(
      '--ops-port <port>',
      'serve /healthz, /readyz and /metrics on this port (0: a free one)',
      portOption('--ops-port'),
    )
    .action(async (options: RunCampaignOptions) => {
      process.exit(await runCampaignEngine(options));
    });
}
