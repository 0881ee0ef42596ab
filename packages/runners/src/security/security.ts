import type { PipelineConfig } from '@tm/contracts';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { migrateToLatest } from '../campaign/db/migrate.js';
import { type ApiServer, createApiServer } from '../http/api-server.js';
import { type ServedApi, servedApi } from '../http/served-api.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { DependencyProbe } from '../runtime/dependency-probe.js';
import { createLogger } from '../runtime/logger.js';
import { periodicRunnable } from '../runtime/service-runnable.js';
import { AccessCache } from './access-cache.js';
import { addOperator } from './operators-db.js';
import { PasswordHasher } from './password.js';
import { SECURITY_SCHEMAS } from './schemas.js';
import { securityResult, securityRoutes } from './security-routes.js';
import { createSecurityService, type SecurityService } from './security-service.js';

/** An operator the security service creates at start when its login is free (the demo's operator). */
export interface SeedOperator {
  login: string;
  password: string;
  firstName: string;
  lastName: string;
}

/**
 * The embedded demo's operator (`pnpm demo -- --serve` prints it): give it in {@link SecurityOptions.seedOperators}.
 * Never seed it in production.
 */
export const DEMO_OPERATOR: SeedOperator = {
  login: 'demo',
  password: 'demo-operator',
  firstName: 'Демо',
  lastName: 'Оператор',
};

/** What {@link createSecurity} needs. */
export interface SecurityOptions {
  /** The pipeline config: its `security` section. */
  config: PipelineConfig;
  /** The campaign database (TM$OPERATORS, TM$OPERATOR_AUTHS); the caller destroys it. */
  db: Knex;
  /** Login-attempt counters: Redis, or a MemoryStore when embedded; the caller closes it. */
  store: KeyValueStore;
  logger?: Logger;
  clock?: () => Date;
  /** Operators to create when absent. */
  seedOperators?: readonly SeedOperator[];
  /** Where to listen (default: `security.host` and `security.port`; port 0 picks a free one). */
  listen?: { host: string; port: number };
  /**
   * The key signing the access cache's entries ($TM_ACCESS_CACHE_KEY, ADR 0126): with it (and a non-zero
   * `security.access-cache-ttl-ms`) successful checks are remembered in `store` for the ARM; without it, not.
   */
  accessCacheKey?: Buffer;
}

/** The access cache of `config` over `store`, or undefined when it is off (no key, or a TTL of 0). */
export function accessCacheOf(
  config: PipelineConfig,
  store: KeyValueStore,
  key: Buffer | undefined,
): AccessCache | undefined {
  const ttlMs = config.security.accessCacheTtlMs;
  return key && ttlMs > 0 ? new AccessCache(store, key, ttlMs) : undefined;
}

/**
 * The security service (tm-security-service) wired to its database, store and HTTP server. Its runnables are the
 * HTTP server and the purge of expired tokens; `prepare` applies the migrations, creates the seed operators and
 * builds the routes.
 */
export interface Security extends ServedApi {
  /** The three operations in-process (the embedded ARM calls them without HTTP). */
  readonly service: SecurityService;
}

/** The security API as a Fastify instance over `service` (also what `tm openapi` prints). */
export async function buildSecurityApi(
  service: SecurityService,
  options: { bodyLimit: number; trustProxy: readonly string[]; logger: Logger },
): Promise<ApiServer> {
  const app = await createApiServer({
    title: 'tm-security-service',
    version: '1.0',
    description:
      'Operators’ login, logout and token checks (thesis §2.6.4, Appendices Б–Г). Every answer is ' +
      '{result: {code, description}, data}.',
    bodyLimit: options.bodyLimit,
    trustProxy: options.trustProxy,
    logger: options.logger,
    errorBody: (code, description) => securityResult(code, description),
    schemas: SECURITY_SCHEMAS,
  });
  securityRoutes(app, service);
  return app;
}

/**
 * Builds the security service: `tm run security` hands its runnables to `runRunner`, the demo calls
 * {@link Security.start} and gives {@link Security.service} to the ARM in-process.
 *
 * ## Example
 * ```ts
 * const security = createSecurity({ config, db, store: new MemoryStore(), listen: { host: '127.0.0.1', port: 0 } });
 * await security.start();
 * const { result, data } = await (await fetch(`${security.url}/api/security/v1/login`, {...})).json();
 * ```
 */
export function createSecurity(options: SecurityOptions): Security {
  const { config, db, store } = options;
  const settings = config.security;
  const logger = (options.logger ?? createLogger('security')).child({ component: 'security' });
  const hasher = new PasswordHasher(settings.password);
  const accessCache = accessCacheOf(config, store, options.accessCacheKey);
  let lastCacheWarningAt = 0;
  const service = createSecurityService({
    config: settings,
    db,
    store,
    hasher,
    ...(accessCache ? { accessCache } : {}),
    onAccessCacheError: (operation, error) => {
      // Every check fails so while Redis is down: one line every 10 s is enough to see it.
      const now = Date.now();
      if (now - lastCacheWarningAt < 10_000) return;
      lastCacheWarningAt = now;
      logger.warn(
        { operation, error: String(error) },
        'access cache not updated; its TTL bounds what it keeps',
      );
    },
    ...(options.clock ? { clock: options.clock } : {}),
  });
  logger.info(
    accessCache ? { accessCacheTtlMs: accessCache.ttlMs } : {},
    accessCache ? 'access cache on' : 'access cache off (no key or TTL 0): the ARM asks on every request',
  );
  const probe = new DependencyProbe(
    { database: () => db.raw('SELECT 1'), redis: () => store.ping() },
    { logger },
  );
  const purge = periodicRunnable(
    'security.purge-expired-tokens',
    settings.purgeIntervalMs,
    async () => {
      const purged = await service.purgeExpired();
      if (purged > 0) logger.info({ purged }, 'expired tokens deleted');
    },
    (error) => logger.warn({ error: String(error) }, 'purging expired tokens failed; next run retries'),
  );

  // A failed preparation (database or broker down) is tried afresh by the next call.
  const lifecycle = servedApi('security', {
    prepare: async () => {
      await migrateToLatest(db);
      for (const seed of options.seedOperators ?? []) {
        const added = await addOperator(db, { ...seed, passwordHash: await hasher.hash(seed.password) });
        if (added) logger.info({ operatorId: added.id }, 'seed operator created');
      }
      return buildSecurityApi(service, {
        bodyLimit: settings.bodyLimitBytes,
        trustProxy: settings.trustProxy,
        logger,
      });
    },
    listen: options.listen ?? { host: settings.host, port: settings.port },
    probe,
    runnables: (server) => [server, purge],
  });
  return Object.assign(lifecycle, { service });
}
