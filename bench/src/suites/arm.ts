/**
 * The ARM and the security service as `tm run arm` / `tm run security` build them (createArm, createSecurity, the
 * ARM checking every request over HTTP), on Kafka, PostgreSQL and Redis, driven over loopback:
 *
 * - `arm.has-changes.p99`: 1,000 operators, each polling hasChanges once a second on a connection of its own
 *   (autocannon, `connectionRate: 1`), with the same load on the security service's checkAccess as the in-run peer
 *   (every hasChanges includes one checkAccess, so that is its floor);
 * - `arm.card-ready.p99`: CALL_STARTED published for operators, spread over time, to the card stored and flagged,
 *   measured from the event's time;
 * - `arm.login.p99`: logins through the ARM with the configured scrypt cost, against the bare scrypt verification as
 *   the peer.
 *
 * BENCH_ARM_SECONDS sets each polling run's length (default 20).
 */
import { defaultConfigPath, loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { newRunId, providePostgres, provideRedis } from '@tm/infra';
import { kafkaTransport } from '@tm/pipeline-core';
import {
  addOperator,
  campaignRowsOf,
  connectCampaignDb,
  contractSerdes,
  createArm,
  createSecurity,
  HttpSecurity,
  ingestCandidates,
  PasswordHasher,
  RedisStore,
  upsertCampaigns,
} from '@tm/runners';
import autocannon from 'autocannon';
import { pino } from 'pino';
import { benchKafka, benchName } from '../kafka.js';
import { atMost, type BenchResult, reported } from '../results.js';
import { sampleApplication } from './core.js';

type Result = Omit<BenchResult, 'suite' | 'measuredAt'>;

const OPERATORS = 1000;
const CARDS = 300;
const LOGINS = 60;
const SECONDS = Number(process.env.BENCH_ARM_SECONDS ?? 20);

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** autocannon: `connections` clients each sending one request a second, each with its own body or header. */
async function poll(
  options: { url: string; connections: number; seconds: number },
  setup: (i: number) => { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url: options.url,
    connections: options.connections,
    connectionRate: 1,
    duration: options.seconds,
    requests: [
      {
        setupRequest: (request, context) => {
          // autocannon keeps one context object per connection: it remembers the connection's operator.
          const own = context as { i?: number };
          own.i ??= next++;
          return { ...request, ...setup(own.i) };
        },
      },
    ],
  });
}

export async function armSuite(): Promise<Result[]> {
  const kafka = await benchKafka();
  const postgres = await providePostgres(newRunId());
  const redis = await provideRedis(newRunId());
  const base = loadPipelineConfig(defaultConfigPath(), {
    ...process.env,
    KAFKA_BROKERS: kafka.brokers.join(','),
  });
  const config: PipelineConfig = {
    ...base,
    topics: {
      ...base.topics,
      callEvents: benchName('bench-arm-call-events'),
      communicationResults: benchName('bench-arm-results'),
      operatorSessions: benchName('bench-arm-sessions'),
      callbackRequests: benchName('bench-arm-callbacks'),
    },
    security: {
      ...base.security,
      // Every login of the run comes from 127.0.0.1.
      loginLimits: { ...base.security.loginLimits, perAddress: { max: 100_000, windowMs: 60_000 } },
    },
    arm: { ...base.arm, consumerGroup: benchName('bench-arm') },
  };
  const logger = pino({ level: 'warn' });
  const transport = kafkaTransport({ brokers: kafka.brokers, clientId: 'bench-arm' });
  const db = connectCampaignDb(postgres.url, { poolMax: 10 });
  const securityStore = new RedisStore({ url: redis.url, keyPrefix: `${redis.keyPrefix}sec:` });
  const armStore = new RedisStore({ url: redis.url, keyPrefix: `${redis.keyPrefix}arm:` });
  const security = createSecurity({
    config,
    db,
    store: securityStore,
    logger,
    listen: { host: '127.0.0.1', port: 0 },
  });
  const cardLatencies: number[] = [];
  let arm: ReturnType<typeof createArm> | undefined;
  try {
    await security.start();
    arm = createArm({
      config,
      transport,
      db,
      store: armStore,
      security: new HttpSecurity(security.url as string),
      logger,
      listen: { host: '127.0.0.1', port: 0 },
      onCardReady: (ms) => cardLatencies.push(ms),
    });
    await arm.start();

    await upsertCampaigns(
      db,
      campaignRowsOf(config.eventsAnalyser.campaigns, config.campaignEngine.campaigns),
    );
    // Operators: the ones who log in have a hash of the configured cost; the pollers a cheap one (their tokens are
    // issued in-process, and 1,000 real KDF runs would take minutes). A hash names its own cost (ADR 0091).
    const hasher = new PasswordHasher(config.security.password);
    const passwordHash = await hasher.hash('bench-password');
    const cheapHash = await new PasswordHasher({ cost: 16, blockSize: 1, parallelization: 1 }).hash(
      'bench-password',
    );
    const ids: number[] = [];
    for (let i = 0; i < OPERATORS; i++) {
      const row = await addOperator(db, {
        login: `op${i}`,
        passwordHash: i < LOGINS ? passwordHash : cheapHash,
        firstName: 'Оператор',
        lastName: `№${i}`,
      });
      if (row) ids.push(row.id);
    }

    // Logins with the real KDF cost, two at a time, against bare scrypt verifications.
    const loginMs: number[] = [];
    const tokens: string[] = [];
    const armUrl = arm.url as string;
    const loginOne = async (i: number) => {
      const started = performance.now();
      const response = await fetch(`${armUrl}/api/arm/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: `op${i}`, password: 'bench-password' }),
      });
      const body = (await response.json()) as { data?: { token: string } };
      if (!body.data) throw new Error(`bench: login of op${i} failed: ${JSON.stringify(body)}`);
      loginMs.push(performance.now() - started);
      return body.data.token;
    };
    for (let i = 0; i < LOGINS; i += 2) tokens.push(...(await Promise.all([loginOne(i), loginOne(i + 1)])));
    const kdfMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await hasher.verify('bench-password', passwordHash);
      kdfMs.push(performance.now() - started);
    }
    // The other operators' tokens straight from the security service (same tokens, no KDF).
    for (let i = LOGINS; i < OPERATORS; i++) {
      const outcome = await security.service.login({
        login: `op${i}`,
        password: 'bench-password',
        clientAddress: '127.0.0.1',
      });
      if (outcome.code !== 'OK') throw new Error(`bench: login op${i}: ${outcome.code}`);
      tokens.push(outcome.token);
    }

    // hasChanges: 1,000 operators polling once a second; warm up first (sessions resume, pools fill).
    const hasChanges = (i: number) => ({
      method: 'GET' as const,
      headers: { authorization: `Bearer ${tokens[i % OPERATORS]}` },
    });
    // Warm-up: every operator's first request opens their session again (OPEN on the topic) and slides the token.
    await poll({ url: `${armUrl}/api/arm/v1/hasChanges`, connections: OPERATORS, seconds: 8 }, hasChanges);
    const arms = await poll(
      { url: `${armUrl}/api/arm/v1/hasChanges`, connections: OPERATORS, seconds: SECONDS },
      hasChanges,
    );
    const checks = await poll(
      { url: `${security.url}/api/security/v1/checkAccess`, connections: OPERATORS, seconds: SECONDS },
      (i) => ({
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token: tokens[i % OPERATORS], updateExpire: true }),
      }),
    );
    const failures = (r: autocannon.Result) => r.errors + r.timeouts + r.non2xx;
    console.error(
      `bench: hasChanges p50/p99 ${arms.latency.p50}/${arms.latency.p99} ms (${arms.requests.total} requests, ${failures(arms)} failed); checkAccess p99 ${checks.latency.p99} ms`,
    );

    // Card ready: CALL_STARTED for CARDS operators, 50 a second, each with a task of its own.
    const serde = contractSerdes().callEvent;
    const producer = transport.createProducer();
    await producer.connect();
    const taskIds: number[] = [];
    for (let i = 0; i < CARDS; i++) {
      const phone = `7953${String(i).padStart(7, '0')}`;
      const application = { ...sampleApplication(i), phone };
      await ingestCandidates(
        db,
        [
          {
            candidateId: `${application.applicationNumber}:1`,
            campaignId: 1,
            phone,
            application,
            casperProfile: null,
            products: [],
            filtersPassed: [],
            decidedAt: Date.now(),
          },
        ],
        new Date(),
      );
      const { rows } = await db.raw<{ rows: { id: string }[] }>(
        'SELECT ID FROM TM$CAMPAIGN_TASKS WHERE PHONE = ?',
        [phone],
      );
      if (!rows[0]) throw new Error(`bench: no task for ${phone}`);
      taskIds.push(Number(rows[0].id));
    }
    for (let i = 0; i < CARDS; i++) {
      const operatorId = ids[i] as number;
      const event = {
        eventId: `bench-start-${i}`,
        type: 'CALL_STARTED' as const,
        taskId: taskIds[i] as number,
        operatorId,
        callId: `bench-call-${newRunId()}-${i}`,
        phone: '79530000000',
        durationSeconds: null,
        occurredAt: Date.now(),
        attempt: null,
        outcome: null,
      };
      await producer.send([
        { topic: config.topics.callEvents, key: String(operatorId), value: serde.encode(event) },
      ]);
      await new Promise((r) => setTimeout(r, 20));
    }
    await producer.disconnect();
    const deadline = Date.now() + 60_000;
    while (cardLatencies.length < CARDS && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));

    const load = `${OPERATORS} connections at 1 request/s each for ${SECONDS} s on loopback (autocannon), ARM → security over HTTP, Kafka ${kafka.version}, PostgreSQL and Redis local; autocannon, the ARM, the security service and the services share the machine`;
    return [
      atMost(
        'arm.has-changes.p99',
        arms.latency.p99,
        'ms',
        10,
        `GET /api/arm/v1/hasChanges, ${load}; ${arms.requests.total} requests, p50 ${arms.latency.p50} ms, ${failures(arms)} failed`,
      ),
      reported(
        'arm.has-changes.p99-vs-check-access',
        arms.latency.p99 / Math.max(0.01, checks.latency.p99),
        'ratio',
        `hasChanges p99 over the security service's checkAccess p99 (${checks.latency.p99} ms, ${failures(checks)} failed) under the same load, same run`,
      ),
      atMost(
        'arm.card-ready.p99',
        percentile(cardLatencies, 99),
        'ms',
        200,
        `${cardLatencies.length} of ${CARDS} CALL_STARTED published on Kafka 50/s, from the event's time to the card stored in Redis and CLIENT_CARD_READY flagged; p50 ${Math.round(percentile(cardLatencies, 50))} ms`,
      ),
      reported(
        'arm.login.p99',
        percentile(loginMs, 99),
        'ms',
        `${LOGINS} logins through the ARM (two at a time) with scrypt N=${config.security.password.cost}, r=${config.security.password.blockSize}; bare scrypt verification p50 ${Math.round(percentile(kdfMs, 50))} ms (ratio ${(percentile(loginMs, 99) / percentile(kdfMs, 50)).toFixed(2)})`,
      ),
    ];
  } finally {
    await arm?.stop();
    await security.stop();
    await transport.close();
    await securityStore.close();
    await armStore.close();
    await db.destroy();
    await redis.release();
    await postgres.release();
    await kafka.stop();
  }
}
