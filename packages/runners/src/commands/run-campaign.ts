import type { Command } from 'commander';
import { createCampaignEngine } from '../campaign/engine/engine.js';
import { transportFor } from '../runtime/transport.js';
import { type DatabaseStageOptions, registerDatabaseStage, runDatabaseStage } from './stage-command.js';

/** Options of `tm run campaign`. */
export type RunCampaignOptions = DatabaseStageOptions;

/**
 * `tm run campaign`: the campaign engine as a process of its own on the config's transport and database. Applies
 * the migrations and upserts the campaigns, then runs until SIGTERM or SIGINT (graceful) or a failure. Resolves
 * with the exit code: 0 after a clean stop, 1 when it failed.
 */
export async function runCampaignEngine(options: RunCampaignOptions = {}): Promise<number> {
  return runDatabaseStage(options, 'campaign-engine', ({ config, logger, metrics, db }) => {
    const transport = transportFor(config);
    const engine = createCampaignEngine({ config, transport, db, logger, metrics });
    return {
      what: 'campaign engine',
      // The database or the broker not there yet: unready and waiting, up to the outage limit (ADR 0134).
      rideOutMs: config.infra.kafka.outageLimitMs,
      runner: { prepare: () => engine.prepare(), runnables: engine.stages, stop: () => engine.stop() },
      clients: [transport],
    };
  });
}

/** `tm run campaign [--config FILE] [--database-url URL] [--ops-port N]`. */
export function register(program: Command): void {
  registerDatabaseStage(program, {
    name: 'campaign',
    description:
      'Run the campaign engine: store tml-candidates as campaign tasks, dispatch due tasks to tm-dial-tasks on the ' +
      'schedule, apply tm-call-events and tm-communication-results. Migrates the database at start.',
    run: runCampaignEngine,
  });
}
