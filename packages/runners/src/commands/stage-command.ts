import { loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { type Logger, type Runnable, StageMetrics } from '@tm/pipeline-core';
import type { Command } from 'commander';
import type { Knex } from 'knex';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { createLogger } from '../runtime/logger.js';
import { prepareAndRun } from '../runtime/run-runner.js';
import { configOption, configPathOf, portOption } from './config-option.js';
import { commandGroup } from './groups.js';

/** Options of every `tm run <stage>` on the campaign database (`campaign`, `dialer`, `arm`, `security`). */
export interface DatabaseStageOptions {
  config?: string;
  databaseUrl?: string;
  /** Port of /healthz, /readyz, /metrics (default: $TM_OPS_PORT, else none). */
  opsPort?: number;
}

/** What a stage's wiring is given: the config, and the logger, metrics and database of the process. */
export interface StageProcess {
  config: PipelineConfig;
  logger: Logger;
  metrics: StageMetrics;
  db: Knex;
}

/** A runner `tm run <stage>` prepares, runs and stops. */
export interface StageRunner {
  /** Gets the stage ready (migrations, topics, ...); retried while its dependencies are down. */
  prepare(): Promise<void>;
  /** The runnables once prepared. */
  readonly runnables: readonly Runnable[];
  stop(): Promise<void>;
}

/** A stage wired for {@link runDatabaseStage}. */
export interface WiredStage {
  /** What starts, for the log ("dialer", "ARM"). */
  what: string;
  /** How long {@link StageRunner.prepare} is retried while the stage's dependencies are down. */
  rideOutMs: number;
  runner: StageRunner;
  /** What the wiring opened, closed in this order once the runner stopped (undefined: nothing opened). */
  clients: readonly ({ close?: () => Promise<unknown> } | undefined)[];
}

/**
 * What `tm run <stage>` does for a stage on the campaign database: loads the config, connects the database
 * (`--database-url`, else `infra.database.url`), lets `wire` build the stage, then prepares and runs it until
 * SIGTERM or SIGINT or a failure; then stops the runner, closes the wiring's clients and destroys the database. Resolves with the exit code.
 */
export async function runDatabaseStage(
  options: DatabaseStageOptions,
  loggerName: string,
  wire: (stageProcess: StageProcess) => WiredStage,
): Promise<number> {
  const config = loadPipelineConfig(configPathOf(options));
  const logger = createLogger(loggerName);
  const metrics = new StageMetrics();
  const db = connectCampaignDb(options.databaseUrl ?? config.infra.databaseUrl);
  let stage: WiredStage;
  try {
    stage = wire({ config, logger, metrics, db });
  } catch (err) {
    await db.destroy();
    throw err;
  }
  const { runner } = stage;
  return prepareAndRun({
    what: stage.what,
    prepare: () => runner.prepare(),
    rideOutMs: stage.rideOutMs,
    stages: () => runner.runnables,
    close: async () => {
      await runner.stop();
      for (const client of stage.clients) await client?.close?.();
      await db.destroy();
    },
    metrics,
    logger,
    opsPort: options.opsPort,
  });
}

/**
 * Adds `tm run <name> [--config FILE] [--database-url URL] [--ops-port N]` to `program`, exiting with the code
 * `run` resolves with.
 */
export function registerDatabaseStage(
  program: Command,
  command: { name: string; description: string; run: (options: DatabaseStageOptions) => Promise<number> },
): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command(command.name)
    .addOption(configOption())
    .description(command.description)
    .option('--database-url <url>', 'PostgreSQL URL (default: infra.database.url of the config)')
    .option(
      '--ops-port <port>',
      'serve /healthz, /readyz and /metrics on this port (0: a free one)',
      portOption('--ops-port'),
    )
    .action(async (options: DatabaseStageOptions) => {
      process.exit(await command.run(options));
    });
}
