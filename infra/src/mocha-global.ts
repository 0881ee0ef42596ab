/**
 * Mocha global fixture and root hooks for integration runs (`.mocharc.integration.json` requires this file).
 * Provides real Kafka, PostgreSQL and Redis once per run, publishes them to tests through TM_TEST_* variables,
 * and lets go of them at the end. When a test failed, the broker log tail is printed and its directory kept.
 */
import type { Context } from 'mocha';
import { processAlive } from './kafka-broker.js';
import { infraLog } from './log.js';
import { newRunId } from './run-id.js';
import { releaseSchemaRegistry } from './schema-registry.js';
import { asTestServices, exportToEnv, type ProvidedServices, provideServices } from './services.js';

let provided: ProvidedServices | undefined;
let failures = 0;

function killBrokerOnExit(pid: number | undefined): void {
  if (pid === undefined) return;
  process.once('exit', () => {
    if (processAlive(pid)) process.kill(pid, 'SIGKILL');
  });
}

export async function mochaGlobalSetup(): Promise<void> {
  const started = Date.now();
  provided = await provideServices(newRunId());
  killBrokerOnExit(provided.kafka.pid);
  const { kafka, postgres, redis } = provided;
  exportToEnv(asTestServices(provided));
  infraLog(`Kafka ${kafka.version} at ${kafka.brokers.join(',')} (${kafka.source})`);
  infraLog(
    `PostgreSQL ${postgres.serverVersion}, database ${postgres.database} created for this run (${postgres.source})`,
  );
  infraLog(`Redis ${redis.serverVersion}, key prefix ${redis.keyPrefix} (${redis.source})`);
  infraLog(`services ready in ${Date.now() - started} ms`);
}

export async function mochaGlobalTeardown(): Promise<void> {
  await releaseSchemaRegistry(); // only when a test asked for one
  if (!provided) return;
  const keepLogs = failures > 0;
  if (keepLogs && provided.kafka.logTail) {
    infraLog(
      `${failures} test(s) failed; Kafka broker log ${provided.kafka.logFile} (kept), last lines:\n${provided.kafka.logTail()}`,
    );
  }
  await provided.release({ keepLogs });
  infraLog(`released services; database ${provided.postgres.database} dropped`);
}

export const mochaHooks = {
  afterEach(this: Context) {
    if (this.currentTest?.state === 'failed') failures += 1;
  },
};
