import { loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { StageMetrics } from '@tm/pipeline-core';
import type { Command } from 'commander';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { createDialer } from '../dialer/dialer.js';
import { createLogger } from '../runtime/logger.js';
import { prepareAndRun } from '../runtime/run-runner.js';
import { transportFor } from '../runtime/transport.js';
import { telephonySecretsFromEnv } from '../simulators/telephony-model.js';
import { HttpTelephony } from '../telephony/http-telephony.js';
import { configOption, configPathOf, portOption } from './config-option.js';
import { commandGroup } from './groups.js';

/** Environment variable of the telephony's base URL (may carry credentials, so never in the YAML). */
export const TELEPHONY_URL_ENV = 'TM_TELEPHONY_URL';

/** Options of `tm run dialer`. */
export interface RunDialerOptions {
  config?: string;
  databaseUrl?: string;
  /** Port of /healthz, /readyz, /metrics (default: $TM_OPS_PORT, else none). */
  opsPort?: number;
}

/**
 * The telephony's URL: $TM_TELEPHONY_URL, else the telephony simulator of the config (`simulators.host` and
 * `simulators.telephony.port`), as `tm run simulators` serves it.
 */
export function telephonyUrlOf(config: PipelineConfig, env: NodeJS.ProcessEnv = process.env): string {
  const fromEnv = env[TELEPHONY_URL_ENV]?.trim();
  return fromEnv || `http://${config.simulators.host}:${config.simulators.telephony.port}`;
}

/**
 * `tm run dialer`: the adapter between the campaign engine and the telephony (thesis §2.6.6) as a process of its
 * own, on the config's transport and database and the telephony at $TM_TELEPHONY_URL with the account key
 * $TM_TELEPHONY_API_KEY and the operators' secret $TM_TELEPHONY_OPERATOR_SECRET. Resolves with the exit code.
 */
export async function runDialer(options: RunDialerOptions = {}): Promise<number> {
  const config = loadPipelineConfig(configPathOf(options));
  const logger = createLogger('dialer');
  const metrics = new StageMetrics();
  const transport = transportFor(config, { clientId: `${config.infra.kafka.clientId}-dialer` });
  const db = connectCampaignDb(options.databaseUrl ?? config.infra.databaseUrl);
  const secrets = telephonySecretsFromEnv();
  const telephony = new HttpTelephony({
    url: telephonyUrlOf(config),
    apiKey: secrets.apiKey,
    timeoutMs: config.dialer.telephonyTimeoutMs,
    connections: Math.max(config.dialer.send.concurrency, config.dialer.pollConcurrency),
  });
  const dialer = createDialer({
    config,
    transport,
    db,
    telephony,
    operatorSecret: secrets.operatorSecret,
    logger,
    metrics,
  });
  const close = async () => {
    await dialer.stop();
    await telephony.close();
    await transport.close();
    await db.destroy();
  };
  return prepareAndRun({
    what: 'dialer',
    prepare: () => dialer.prepare(),
    rideOutMs: config.dialer.rideOutMs,
    stages: () => dialer.runnables,
    close,
    metrics,
    logger,
    opsPort: options.opsPort,
  });
}

/** `tm run dialer [--config FILE] [--database-url URL] [--ops-port N]`. */
export function register(program: Command): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command('dialer')
    .addOption(configOption())
    .description(
      'Run the dialer (tm-mightycall-adapter): tm-dial-tasks and tm-callback-requests to the telephony at ' +
        `$${TELEPHONY_URL_ENV}, operators' sessions from tm-operator-sessions, their calls polled to tm-call-events.`,
    )
    .option('--database-url <url>', 'PostgreSQL URL (default: infra.database.url of the config)')
    .option(
      '--ops-port <port>',
      'serve /healthz, /readyz and /metrics on this port (0: a free one)',
      portOption('--ops-port'),
    )
    .action(async (options: RunDialerOptions) => {
      process.exit(await runDialer(options));
    });
}
