import type { Command } from 'commander';
import { RedisStore } from '../kv/redis-store.js';
import { accessCacheKeyFromEnv } from '../security/access-cache.js';
import { createSecurity } from '../security/security.js';
import { type DatabaseStageOptions, registerDatabaseStage, runDatabaseStage } from './stage-command.js';

/** Options of `tm run security`. */
export type RunSecurityOptions = DatabaseStageOptions;

/**
 * `tm run security`: the security service (thesis §2.6.4) as a process of its own, on the config's database and
 * Redis, serving `security.host:security.port` until SIGTERM or SIGINT. Resolves with the exit code.
 */
export async function runSecurity(options: RunSecurityOptions = {}): Promise<number> {
  return runDatabaseStage(options, 'security', ({ config, logger, db }) => {
    const accessCacheKey = accessCacheKeyFromEnv();
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
    return { what: 'security service', rideOutMs: config.arm.rideOutMs, runner: security, clients: [store] };
  });
}

/** `tm run security [--config FILE] [--database-url URL] [--ops-port N]`. */
export function register(program: Command): void {
  registerDatabaseStage(program, {
    name: 'security',
    description:
      'Run the security service: POST /api/security/v1/login, /logout, /checkAccess on security.port, with ' +
      'the OpenAPI document at /docs. Migrates the database at start.',
    run: runSecurity,
  });
}
