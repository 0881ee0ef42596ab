import { loadPipelineConfig } from '@tm/contracts';
import { StageMetrics } from '@tm/pipeline-core';
import type { Command } from 'commander';
import { createArm } from '../arm/arm.js';
import { ArmMetrics } from '../arm/arm-metrics.js';
import { CachedSecurity } from '../arm/cached-security.js';
import { HttpSecurity, type SecurityPort } from '../arm/security-client.js';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { RedisStore } from '../kv/redis-store.js';
import { createLogger } from '../runtime/logger.js';
import { prepareAndRun } from '../runtime/run-runner.js';
import { transportFor } from '../runtime/transport.js';
import { accessCacheKeyFromEnv } from '../security/access-cache.js';
import { accessCacheOf } from '../security/security.js';
import { configOption, configPathOf, portOption } from './config-option.js';
import { commandGroup } from './groups.js';

/** Options of `tm run arm`. */
export interface RunArmOptions {
  config?: string;
  databaseUrl?: string;
  /** Port of /healthz, /readyz, /metrics (default: $TM_OPS_PORT, else none). */
  opsPort?: number;
}

/**
 * `tm run arm`: the operator workstation API (thesis §2.6.5) as a process of its own, on the config's transport,
 * database and Redis, checking every request with the security service at `arm.security-url`. Resolves with the
 * exit code.
 */
export async function runArm(options: RunArmOptions = {}): Promise<number> {
  const config = loadPipelineConfig(configPathOf(options));
  const accessCacheKey = accessCacheKeyFromEnv();
  const logger = createLogger('arm');
  const metrics = new StageMetrics();
  const transport = transportFor(config, { clientId: `${config.infra.kafka.clientId}-arm` });
  const db = connectCampaignDb(options.databaseUrl ?? config.infra.databaseUrl);
  const store = new RedisStore({ url: config.infra.redisUrl, keyPrefix: config.arm.redisKeyPrefix, logger });
  const http = new HttpSecurity(config.arm.securityUrl, config.arm.securityTimeoutMs);
  // The security service's access entries, read under its key prefix (ADR 0125).
  const accessStore =
    accessCacheKey && config.security.accessCacheTtlMs > 0
      ? new RedisStore({ url: config.infra.redisUrl, keyPrefix: config.security.redisKeyPrefix, logger })
      : undefined;
  const accessCache = accessStore && accessCacheOf(config, accessStore, accessCacheKey);
  // Reads on polls answered from memory or Redis: the ARM's pending changes and the access entries (ADR 0167).
  const cachedReads = () => {
    const arm = store.cached.counts();
    const access = accessStore?.cached.counts() ?? { memory: 0, store: 0 };
    return { memory: arm.memory + access.memory, store: arm.store + access.store };
  };
  const armMetrics = new ArmMetrics(metrics.registry, cachedReads);
  const security: SecurityPort = accessCache
    ? new CachedSecurity(http, accessCache, { logger, metrics: armMetrics })
    : http;
  logger.info(accessCache ? 'access cache on' : 'access cache off: every request is checked by the service');
  const arm = createArm({ config, transport, db, store, security, logger, metrics });
  const close = async () => {
    await arm.stop();
    await security.close?.();
    await transport.close();
    await accessStore?.close();
    await store.close();
    await db.destroy();
  };
  return prepareAndRun({
    what: 'ARM',
    prepare: () => arm.prepare(),
    rideOutMs: config.arm.rideOutMs,
    stages: () => arm.runnables,
    close,
    metrics,
    logger,
    opsPort: options.opsPort,
  });
}

/** `tm run arm [--config FILE] [--database-url URL] [--ops-port N]`. */
export function register(program: Command): void {
  commandGroup(program, 'run', 'Run one stage of the pipeline (or the simulators) until stopped.')
    .command('arm')
    .addOption(configOption())
    .description(
      'Run the ARM, the operators’ API: /api/arm/v1/* on arm.port with the OpenAPI document at /docs; prepares ' +
        'client cards from tm-call-events, publishes sessions, drafts and results. Needs `tm run security`.',
    )
    .option('--database-url <url>', 'PostgreSQL URL (default: infra.database.url of the config)')
    .option(
      '--ops-port <port>',
      'serve /healthz, /readyz and /metrics on this port (0: a free one)',
      portOption('--ops-port'),
    )
    .action(async (options: RunArmOptions) => {
      process.exit(await runArm(options));
    });
}
