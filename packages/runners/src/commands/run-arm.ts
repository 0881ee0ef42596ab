import type { Command } from 'commander';
import { createArm } from '../arm/arm.js';
import { ArmMetrics } from '../arm/arm-metrics.js';
import { CachedSecurity } from '../arm/cached-security.js';
import { HttpSecurity, type SecurityPort } from '../arm/security-client.js';
import { RedisStore } from '../kv/redis-store.js';
import { transportFor } from '../runtime/transport.js';
import { accessCacheKeyFromEnv } from '../security/access-cache.js';
import { accessCacheOf } from '../security/security.js';
import { type DatabaseStageOptions, registerDatabaseStage, runDatabaseStage } from './stage-command.js';

/** Options of `tm run arm`. */
export type RunArmOptions = DatabaseStageOptions;

/**
 * `tm run arm`: the operator workstation API (thesis §2.6.5) as a process of its own, on the config's transport,
 * database and Redis, checking every request with the security service at `arm.security-url`. Resolves with the
 * exit code.
 */
export async function runArm(options: RunArmOptions = {}): Promise<number> {
  return runDatabaseStage(options, 'arm', ({ config, logger, metrics, db }) => {
    const accessCacheKey = accessCacheKeyFromEnv();
    const transport = transportFor(config, { clientId: `${config.infra.kafka.clientId}-arm` });
    const store = new RedisStore({
      url: config.infra.redisUrl,
      keyPrefix: config.arm.redisKeyPrefix,
      logger,
    });
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
    logger.info(
      accessCache ? 'access cache on' : 'access cache off: every request is checked by the service',
    );
    const arm = createArm({ config, transport, db, store, security, logger, metrics });
    return {
      what: 'ARM',
      rideOutMs: config.arm.rideOutMs,
      runner: arm,
      clients: [security, transport, accessStore, store],
    };
  });
}

/** `tm run arm [--config FILE] [--database-url URL] [--ops-port N]`. */
export function register(program: Command): void {
  registerDatabaseStage(program, {
    name: 'arm',
    description:
      'Run the ARM, the operators’ API: /api/arm/v1/* on arm.port with the OpenAPI document at /docs; prepares ' +
      'client cards from tm-call-events, publishes sessions, drafts and results. Needs `tm run security`.',
    run: runArm,
  });
}
