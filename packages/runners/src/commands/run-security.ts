import { loadPipelineConfig } from '@tm/contracts';
import { StageMetrics } from '@tm/pipeline-core';
import type { Command } from 'commander';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { RedisStore } from '../kv/redis-store.js';
import { createLogger } from '../runtime/logger.js';
import { prepareAndRun } from '../runtime/run-runner.js';
import { accessCacheKeyFromEnv } from '../security/access-cache.js';
import { createSecurity } from '../security/security.js';
import { configOption, configPathOf, portOption } from './config-option.js';
import { commandGroup } from './groups.js';

/** Options of `tm run security`. */
export interface RunSecurityOptions {
  config?: string;
  databaseUrl?: string;
  /** Port of /healthz, /readyz, /metrics (default: $TM_OPS_PORT, else none). */
  opsPort?: number;
}

/**
 * `tm run security`: the security service (thesis §2.6.4) as a process of its own, on the config's database and
 * Redis, serving `security.host:security.port` until SIGTERM or SIGINT. Resolves with the exit code.
 */
export async function runSecurity(options: RunSecurityOptions = {}): Promise<number> {
  const config = loadPipelineConfig(configPathOf(options));
  const accessCacheKey = accessCacheKeyFromEnv();
  const logger = createLogger('security');
  const metrics = new StageMetrics();
  const db = connectCampaignDb(options.databaseUrl ?? config.infra.databaseUrl);
  const store = new RedisStore({
    url: config.infra.redisUrl,
    keyPrefix: config.security.redisKeyPrefix,
    logger,
  });
  const security = createSecurity({
    config,
    db,
    store,
    logger,
    ...(accessCacheKey ? { accessCacheKey } : {}),
  });
  const close = async () => {
    await store.close();
    await db.destroy();
  };
  return prepareAndRun({
    what: 'security service',
    prepare: () => security.prepare(),
    rideOutMs: config.arm.rideOutMs,
    stages: () => security.runnables,
    close,
    metrics,
    logger,
    opsPort: options.opsPort,
  });
}

/** `tm run security [--config FILE] [--database-url URL] [--ops-port N]`. */
export function register(program: Command): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command('security')
    .addOption(configOption())
    .description(
      'Run the security service: POST /api/security/v1/login, /logout, /checkAccess on security.port, with ' +
        'the OpenAPI document at /docs. Migrates the database at start.',
    )
    .option('--database-url <url>', 'PostgreSQL URL (default: infra.database.url of the config)')
    .option(
      '--ops-port <port>',
      'serve /healthz, /readyz and /metrics on this port (0: a free one)',
      portOption('--ops-port'),
    )
    .action(async (options: RunSecurityOptions) => {
      process.exit(await runSecurity(options));
    });
}
