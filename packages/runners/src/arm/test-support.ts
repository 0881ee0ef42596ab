/**
 * Helpers for the security service's and the ARM's integration tests (not exported from the package): both
 * services on a schema of their own in the run's PostgreSQL database and on the run's Redis (keys under the run's
 * prefix), with the real campaign engine beside them, on the memory transport or the run's Kafka broker. Every log
 * line of the services is kept, so tests can assert what they never print.
 */
import { Writable } from 'node:stream';
import type {
  CallbackRequest,
  CallEvent,
  CommunicationResult,
  OperatorSession,
  PipelineConfig,
} from '@tm/contracts';
import { testServices, uniqueName } from '@tm/infra';
import { MemoryBroker, memoryTransport, type Transport } from '@tm/pipeline-core';
import { produce } from '@tm/pipeline-core/testing';
import type { Knex } from 'knex';
import { pino } from 'pino';
import { connectCampaignDb } from '../campaign/db/connect.js';
import { ingestCandidates } from '../campaign/db/ingest.js';
import { candidate, useCampaignDb } from '../campaign/db/test-support.js';
import { type CampaignEngine, createCampaignEngine } from '../campaign/engine/engine.js';
import {
  type ConfigOverride,
  collectTopics,
  encode,
  engineConfig,
  type TopicCollector,
} from '../campaign/engine/test-support.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { RedisStore } from '../kv/redis-store.js';
import { REDACTED_PATHS } from '../runtime/logger.js';
import { contractSerdes } from '../runtime/serdes.js';
import { transportFor } from '../runtime/transport.js';
import { addOperator } from '../security/operators-db.js';
import { PasswordHasher } from '../security/password.js';
import { accessCacheOf, createSecurity, type Security } from '../security/security.js';
import { type Arm, createArm } from './arm.js';
import { CachedSecurity } from './cached-security.js';
import { HttpSecurity, inProcessSecurity, type SecurityPort } from './security-client.js';
import { ToggleProxy } from './tcp-proxy.test-support.js';

/** A cheap scrypt cost for tests (the benchmark measures the real one). */
export const TEST_SCRYPT_COST = 1024;

/** The access-cache key of the tests' services ($TM_ACCESS_CACHE_KEY in production). */
export const TEST_ACCESS_CACHE_KEY = Buffer.from('test-access-cache-key-of-32-chars!!');

/** Options of {@link useArmHarness}. */
export interface HarnessOptions {
  /** `memory` (default) or the run's Kafka broker. */
  transport?: 'memory' | 'kafka';
  /** The ARM reaches the security service over HTTP (default) or in-process. */
  securityOver?: 'http' | 'in-process';
  /** Whether the campaign engine runs beside the ARM (default true). */
  engine?: boolean;
  /** More config overrides. */
  overrides?: ConfigOverride[];
  /**
   * Puts a {@link ToggleProxy} between the ARM and each of Redis, PostgreSQL and the security service, so a test can
   * take them down (the security service and the engine keep their direct connections).
   */
  proxies?: boolean;
  /** Whether the ARM reads the security service's access cache, as `tm run arm` does with a key (default true). */
  accessCache?: boolean;
}

/** The proxies of {@link HarnessOptions.proxies}. */
export interface ArmProxies {
  redis: ToggleProxy;
  database: ToggleProxy;
  security: ToggleProxy;
}

/** One test's services and helpers. */
export interface Harness {
  readonly db: Knex;
  readonly config: PipelineConfig;
  readonly transport: Transport;
  readonly security: Security;
  readonly arm: Arm;
  readonly engine: CampaignEngine | undefined;
  readonly out: TopicCollector;
  /** With `proxies: true`. */
  readonly proxies: ArmProxies | undefined;
  /** Every line the services logged, as JSON text. */
  readonly logs: string[];
  /** The ARM's access check through the cache, unless `accessCache: false`. */
  readonly cachedSecurity: CachedSecurity | undefined;
  /** The security service's Redis keys (its store, read directly). */
  readonly securityStore: KeyValueStore;
  /** Where the ARM's reads of access entries were answered so far: its memory or Redis (ADR 0167). */
  cachedReads(): { memory: number; store: number };
  /** The clock of both services; tests move it. */
  now: number;
  addOperator(
    login: string,
    password: string,
    names?: { firstName: string; lastName: string },
  ): Promise<number>;
  /** Logs in through the ARM; resolves with the token. */
  login(login: string, password: string): Promise<string>;
  /** A campaign task for `phone` (ingested as the engine would); resolves with its id. */
  task(phone: string, applicationNumber?: string, campaignId?: number): Promise<number>;
  /** Publishes call events on tm-call-events, keyed by operator, as the dialer would. */
  publishCallEvents(...events: CallEvent[]): Promise<void>;
  sessions(): OperatorSession[];
  results(): CommunicationResult[];
  callbacks(): CallbackRequest[];
  /** `app.inject` of the ARM with a bearer token. */
  get(
    path: string,
    token?: string,
  ): Promise<{ statusCode: number; json: () => unknown; headers: Record<string, unknown> }>;
  post(
    path: string,
    body: unknown,
    token?: string,
  ): Promise<{ statusCode: number; json: () => unknown; headers: Record<string, unknown> }>;
}

/** A call event of `operatorId` on task `taskId`. */
export function call(
  type: CallEvent['type'],
  taskId: number,
  callId: string,
  operatorId: number,
  occurredAt: number,
  overrides: Partial<CallEvent> = {},
): CallEvent {
  return {
    eventId: `${type}:${callId}`,
    type,
    taskId,
    operatorId,
    callId,
    phone: '79001234567',
    durationSeconds: type === 'CALL_ENDED' ? 42 : null,
    occurredAt,
    attempt: null,
    outcome: null,
    ...overrides,
  };
}

/**
 * Starts the security service, the ARM and (by default) the campaign engine before each test, on a fresh schema
 * and fresh topics, and stops them after it. `h()` is valid inside tests.
 */
export function useArmHarness(options: HarnessOptions = {}): () => Harness {
  const { db, schema } = useCampaignDb({ poolMax: 8 });
  let harness: Harness | undefined;
  let stores: KeyValueStore[] = [];
  let armDb: Knex | undefined;
  let securityPort: SecurityPort | undefined;
  let proxies: ArmProxies | undefined;

  beforeEach(async function () {
    this.timeout(60_000);
    const services = testServices();
    const names = {
      callEvents: uniqueName('arm-call-events'),
      results: uniqueName('arm-results'),
      sessions: uniqueName('arm-sessions'),
      callbacks: uniqueName('arm-callbacks'),
      dialTasks: uniqueName('arm-dial-tasks'),
      candidates: uniqueName('arm-candidates'),
    };
    const kafka = options.transport === 'kafka';
    const config = engineConfig([
      [['topics', 'call-events'], names.callEvents],
      [['topics', 'communication-results'], names.results],
      [['topics', 'operator-sessions'], names.sessions],
      [['topics', 'callback-requests'], names.callbacks],
      [['topics', 'dial-tasks'], names.dialTasks],
      [['topics', 'candidates'], names.candidates],
      [['topics', 'partitions'], 2],
      [['infra', 'transport'], kafka ? 'kafka' : 'memory'],
      [['infra', 'kafka', 'brokers'], services.kafkaBrokers.join(',')],
      [['infra', 'kafka', 'session-timeout-ms'], 6000],
      [['campaign-engine', 'consumer-group'], uniqueName('arm-engine')],
      [['campaign-engine', 'campaigns'], []],
      [['arm', 'consumer-group'], uniqueName('arm')],
      [['security', 'password', 'scrypt-cost'], TEST_SCRYPT_COST],
      [
        ['arm', 'campaigns'],
        [{ 'campaign-id': 1, 'display-name': 'Доведи до займа', description: 'Предложи экспресс' }],
      ],
      ...(options.overrides ?? []),
    ]);
    const transport = kafka ? transportFor(config) : memoryTransport(new MemoryBroker());
    const logs: string[] = [];
    const logger = pino(
      { level: 'debug', redact: { paths: [...REDACTED_PATHS], censor: '[redacted]' } },
      new Writable({
        write(chunk, _encoding, done) {
          logs.push(String(chunk));
          done();
        },
      }),
    );
    const prefix = `${services.redisKeyPrefix}${uniqueName('h')}:`;
    if (options.proxies) {
      const redisUrl = new URL(services.redisUrl);
      const dbUrl = new URL(services.databaseUrl);
      proxies = {
        redis: new ToggleProxy(redisUrl.hostname, Number(redisUrl.port || 6379)),
        database: new ToggleProxy(dbUrl.hostname, Number(dbUrl.port || 5432)),
        security: new ToggleProxy('127.0.0.1', 0),
      };
      await proxies.redis.up();
      await proxies.database.up();
    }
    const securityStore = new RedisStore({ url: services.redisUrl, keyPrefix: `${prefix}sec:` });
    const armStore = new RedisStore({
      url: proxies ? proxies.redis.url(services.redisUrl) : services.redisUrl,
      keyPrefix: `${prefix}arm:`,
      connectTimeoutMs: 500,
    });
    // The ARM reads the security service's access entries under its prefix, through the Redis proxy if any.
    const accessStore = new RedisStore({
      url: proxies ? proxies.redis.url(services.redisUrl) : services.redisUrl,
      keyPrefix: `${prefix}sec:`,
      connectTimeoutMs: 500,
    });
    stores = [securityStore, armStore, accessStore];
    await Promise.all([securityStore.ready(), armStore.ready(), accessStore.ready()]);
    await db().raw('TRUNCATE TM$OPERATORS RESTART IDENTITY CASCADE');

    const state = { now: Date.UTC(2024, 0, 10, 10) };
    const clock = () => new Date(state.now);
    const security = createSecurity({
      config,
      db: db(),
      store: securityStore,
      logger,
      clock,
      listen: { host: '127.0.0.1', port: 0 },
      accessCacheKey: TEST_ACCESS_CACHE_KEY,
    });
    await security.start();
    let securityUrl = security.url as string;
    if (proxies) {
      proxies.security = new ToggleProxy('127.0.0.1', Number(new URL(securityUrl).port));
      await proxies.security.up();
      securityUrl = proxies.security.url(securityUrl);
      armDb = connectCampaignDb(proxies.database.url(services.databaseUrl), {
        poolMax: 4,
        searchPath: [schema],
      });
    }
    const servicePort =
      options.securityOver === 'in-process'
        ? inProcessSecurity(security.service)
        : new HttpSecurity(securityUrl, config.arm.securityTimeoutMs);
    const accessCache = accessCacheOf(config, accessStore, TEST_ACCESS_CACHE_KEY);
    const cachedSecurity =
      options.accessCache === false || !accessCache
        ? undefined
        : new CachedSecurity(servicePort, accessCache, { now: () => state.now, logger });
    securityPort = cachedSecurity ?? servicePort;
    const arm = createArm({
      config,
      transport,
      db: armDb ?? db(),
      store: armStore,
      security: securityPort,
      logger,
      clock,
      listen: { host: '127.0.0.1', port: 0 },
    });
    await arm.start();
    const engine =
      options.engine === false
        ? undefined
        : createCampaignEngine({
            config,
            transport,
            db: db(),
            logger,
            clock,
            schedules: false,
            dbRetry: { maxAttempts: 3, initialDelayMs: 10 },
          });
    await engine?.start();
    const out = await collectTopics(
      transport,
      [names.sessions, names.results, names.callbacks],
      uniqueName('arm-reader'),
    );
    const serdes = contractSerdes();
    const decode = <T>(topic: string, serde: { decode: (b: Buffer) => unknown }) =>
      out.records(topic).map((r) => serde.decode(r.value as Buffer) as T);
    const inject = async (method: 'GET' | 'POST', url: string, body?: unknown, token?: string) => {
      const response = await arm.app.inject({
        method,
        url,
        ...(body === undefined ? {} : { payload: body as object }),
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      return {
        statusCode: response.statusCode,
        json: () => response.json() as unknown,
        headers: response.headers,
      };
    };
    const hasher = new PasswordHasher(config.security.password);
    harness = {
      db: db(),
      config,
      transport,
      security,
      arm,
      engine,
      out,
      proxies,
      logs,
      cachedSecurity,
      securityStore,
      cachedReads: () => accessStore.cached.counts(),
      get now() {
        return state.now;
      },
      set now(ms: number) {
        state.now = ms;
      },
      addOperator: async (login, password, names = { firstName: 'Анна', lastName: 'Иванова' }) => {
        const row = await addOperator(db(), { login, passwordHash: await hasher.hash(password), ...names });
        if (!row) throw new Error(`login ${login} taken`);
        return row.id;
      },
      login: async (login, password) => {
        const response = await inject('POST', '/api/arm/v1/login', { login, password });
        const body = response.json() as { status: string; data?: { token: string } };
        if (response.statusCode !== 200 || !body.data)
          throw new Error(`login failed: ${JSON.stringify(body)}`);
        return body.data.token;
      },
      task: async (phone, applicationNumber = `${phone.slice(-6)}01`, campaignId = 1) => {
        await ingestCandidates(db(), [candidate(applicationNumber, phone, { campaignId })], clock());
        const { rows } = await db().raw<{ rows: { id: string }[] }>(
          `SELECT ID FROM TM$CAMPAIGN_TASKS WHERE CANDIDATE_ID = ?`,
          [`${applicationNumber}:${campaignId}`],
        );
        return Number(rows[0]?.id);
      },
      publishCallEvents: (...events) =>
        produce(
          transport,
          events.map((e) => encode.callEvent(names.callEvents, e)),
        ),
      sessions: () => decode<OperatorSession>(names.sessions, serdes.operatorSession),
      results: () => decode<CommunicationResult>(names.results, serdes.communicationResult),
      callbacks: () => decode<CallbackRequest>(names.callbacks, serdes.callbackRequest),
      get: (path, token) => inject('GET', path, undefined, token),
      post: (path, body, token) => inject('POST', path, body, token),
    };
  });

  afterEach(async function () {
    this.timeout(60_000);
    const h = harness;
    harness = undefined;
    if (!h) return;
    await h.out.stop();
    await h.engine?.stop();
    await h.arm.stop();
    await h.security.stop();
    await securityPort?.close?.();
    await h.transport.close();
    await Promise.all(stores.map((s) => s.close()));
    if (proxies) await Promise.all(Object.values(proxies).map((p) => p.down()));
    await armDb?.destroy();
    proxies = undefined;
    armDb = undefined;
  });

  return () => {
    if (!harness) throw new Error('harness used outside a test');
    return harness;
  };
}
