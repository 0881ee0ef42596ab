import type { PipelineConfig } from '@tm/contracts';
import type { Command } from 'commander';
import { createDialer } from '../dialer/dialer.js';
import { transportFor } from '../runtime/transport.js';
import { telephonySecretsFromEnv } from '../simulators/telephony-model.js';
import { HttpTelephony } from '../telephony/http-telephony.js';
import { type DatabaseStageOptions, registerDatabaseStage, runDatabaseStage } from './stage-command.js';

/** Environment variable of the telephony's base URL (may carry credentials, so never in the YAML). */
export const TELEPHONY_URL_ENV = 'TM_TELEPHONY_URL';

/** Options of `tm run dialer`. */
export type RunDialerOptions = DatabaseStageOptions;

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
  return runDatabaseStage(options, 'dialer', ({ config, logger, metrics, db }) => {
    const transport = transportFor(config, { clientId: `${config.infra.kafka.clientId}-dialer` });
    const secrets = telephonySecretsFromEnv();
    const telephony = new HttpTelephony({
      url: telephonyUrlOf(config),
      apiKey: secrets.apiKey,
      timeoutMs: config.dialer.telephonyTimeoutMs,
      connections: Math.max(config.dialer.send.concurrency, config.dialer.pollConcurrency),
    });
    const operatorSecret = secrets.operatorSecret;
    const dialer = createDialer({ config, transport, db, telephony, operatorSecret, logger, metrics });
    return {
      what: 'dialer',
      rideOutMs: config.dialer.rideOutMs,
      runner: dialer,
      clients: [telephony, transport],
    };
  });
}

/** `tm run dialer [--config FILE] [--database-url URL] [--ops-port N]`. */
export function register(program: Command): void {
  registerDatabaseStage(program, {
    name: 'dialer',
    description:
      'Run the dialer (tm-mightycall-adapter): tm-dial-tasks and tm-callback-requests to the telephony at ' +
      `$${TELEPHONY_URL_ENV}, operators' sessions from tm-operator-sessions, their calls polled to tm-call-events.`,
    run: runDialer,
  });
}
