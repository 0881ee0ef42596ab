/**
 * `tm run security` and `tm run arm` as processes of their own (from dist/, as the image runs them; ADR 0066) on
 * Kafka, PostgreSQL and Redis, driven over loopback by this process:
 *
 * - `arm.has-changes.p99`: 1,000 operators, each polling hasChanges once a second on a connection of its own
 *   (autocannon, `connectionRate: 1`); the same load on the security service's checkAccess is the in-run peer (every
 *   hasChanges includes one checkAccess, so that is its floor);
 * - `arm.card-ready.p99`: CALL_STARTED published for 300 operators, 50 a second, to the card stored in Redis and
 *   flagged, from the event's time, read from the ARM's `arm_card_ready_seconds` histogram (the bound of the bucket
 *   holding the 99th percentile);
 * - `arm.login.p99`: logins through the ARM with the configured scrypt cost, against bare scrypt verifications.
 *
 * BENCH_ARM_SECONDS sets each polling run's length (default 20).
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { newRunId, providePostgres, provideRedis } from '@tm/infra';
import { kafkaTransport } from '@tm/pipeline-core';
import {
  addOperator,
  campaignRowsOf,
  connectCampaignDb,
  contractSerdes,
  ingestCandidates,
  PasswordHasher,
  PipelineProcesses,
  upsertCampaigns,
  writePipelineConfig,
} from '@tm/runners';
import autocannon from 'autocannon';
import { benchKafka } from '../kafka.js';
import { atMost, type BenchResult, reported } from '../results.js';
import { buildRunners } from '../runner-image.js';
import { sampleApplication } from './core.js';

type Result = Omit<BenchResult, 'suite' | 'measuredAt'>;

const OPERATORS = 1000;
const CARDS = 300;
const LOGINS = 60;
const SECONDS = Number(process.env.BENCH_ARM_SECONDS ?? 20);

/** CPU seconds (user + system) a process has used so far, from /proc (clock ticks of 1/100 s). */
function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return Number.NaN;
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

/** autocannon: `connections` clients each sending one request a second, each with its own body or header. */
function poll(
  url: string,
  seconds: number,
  setup: (i: number) => { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
): Promise<autocannon.Result> {
  let next = 0;
  return autocannon({
    url,
    connections: OPERATORS,
    connectionRate: 1,
    duration: seconds,
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

/** The bound (ms) of the histogram bucket holding the `p`th percentile, and the count, from Prometheus text. */
function histogramPercentile(text: string, name: string, p: number): { boundMs: number; count: number } {
  const buckets = [...text.matchAll(new RegExp(`^${name}_bucket\\{le="([^"]+)"\\} (\\d+)`, 'gm'))].map(
    (m) => ({
      le: m[1] === '+Inf' ? Number.POSITIVE_INFINITY : Number(m[1]),
      n: Number(m[2]),
    }),
  );
  const count = buckets.at(-1)?.n ?? 0;
  const bucket = buckets.find((b) => b.n >= (p / 100) * count);
  return { boundMs: (bucket?.le ?? Number.NaN) * 1000, count };
}

export async function armSuite(): Promise<Result[]> {
  buildRunners();
  const kafka = await benchKafka();
  const postgres = await providePostgres(newRunId());
  const redis = await provideRedis(newRunId());
  const suffix = newRunId();
  const workDir = mkdtempSync(join(tmpdir(), 'tm-bench-arm-'));
  const { file, config } = await writePipelineConfig({
    workDir,
    suffix,
    brokers: kafka.brokers,
    databaseUrl: postgres.url,
    redisKeyPrefix: redis.keyPrefix,
  });
  const processes = new PipelineProcesses(file, workDir, suffix, 'build');
  const env = { REDIS_URL: redis.url };
  const db = connectCampaignDb(postgres.url, { poolMax: 4 });
  const transport = kafkaTransport({ brokers: kafka.brokers, clientId: 'bench-arm' });
  try {
    await processes.start('security', { env });
    await processes.start('arm', { env });
    const armUrl = `http://127.0.0.1:${config.arm.port}`;
    const securityUrl = `http://127.0.0.1:${config.security.port}`;
    await upsertCampaigns(
      db,
      campaignRowsOf(config.eventsAnalyser.campaigns, config.campaignEngine.campaigns),
    );

    // Operators: LOGINS log in with a hash of the configured cost; the pollers' tokens are written as the security
    // service writes them (SHA-256 of 256 random bits), without 1,000 KDF runs.
    const hasher = new PasswordHasher(config.security.password);
    const passwordHash = await hasher.hash('bench-password');
    const ids: number[] = [];
    for (let i = 0; i < OPERATORS; i++) {
      const row = await addOperator(db, {
        login: `op${i}`,
        passwordHash,
        firstName: 'Оператор',
        lastName: `№${i}`,
      });
      if (!row) throw new Error(`bench: op${i} exists`);
      ids.push(row.id);
    }
    const loginMs: number[] = [];
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
    const tokens: string[] = [];
    for (let i = 0; i < LOGINS; i += 2) tokens.push(...(await Promise.all([loginOne(i), loginOne(i + 1)])));
    const kdfMs: number[] = [];
    for (let i = 0; i < 20; i++) {
      const started = performance.now();
      await hasher.verify('bench-password', passwordHash);
      kdfMs.push(performance.now() - started);
    }
    for (let i = LOGINS; i < OPERATORS; i++) {
      const token = randomBytes(32).toString('base64url');
      await db.raw(
        `INSERT INTO TM$OPERATOR_AUTHS (TOKEN, OPERATOR_ID, EXP_DATE) VALUES (?, ?, now() + interval '1 hour')`,
        [createHash('sha256').update(token).digest('hex'), ids[i] as number],
      );
      tokens.push(token);
    }

    // hasChanges: 1,000 operators polling once a second. The warm-up opens every poller's session (OPEN on the
    // topic) and fills the connection pools.
    const hasChanges = (i: number) => ({
      method: 'GET' as const,
      headers: { authorization: `Bearer ${tokens[i % OPERATORS]}` },
    });
    await poll(`${armUrl}/api/arm/v1/hasChanges`, 8, hasChanges);
    const cpu = () => ({
      arm: cpuSeconds(processes.pid('arm')),
      security: cpuSeconds(processes.pid('security')),
    });
    const cpuBefore = cpu();
    const arms = await poll(`${armUrl}/api/arm/v1/hasChanges`, SECONDS, hasChanges);
    const cpuAfter = cpu();
    // CPU per request of both services: what 1,000 polling operators cost whatever else the machine runs.
    const cpuMsPerPoll =
      ((cpuAfter.arm - cpuBefore.arm + cpuAfter.security - cpuBefore.security) * 1000) / arms.requests.total;
    const checks = await poll(`${securityUrl}/api/security/v1/checkAccess`, SECONDS, (i) => ({
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: tokens[i % OPERATORS], updateExpire: true }),
    }));
    const failures = (r: autocannon.Result) => r.errors + r.timeouts + r.non2xx;
    console.error(
      `bench: hasChanges p50/p99 ${arms.latency.p50}/${arms.latency.p99} ms (${arms.requests.total} requests, ${failures(arms)} failed, ${cpuMsPerPoll.toFixed(3)} ms CPU each); checkAccess p50/p99 ${checks.latency.p50}/${checks.latency.p99} ms`,
    );

    // Card ready: CALL_STARTED for CARDS operators, 50 a second, each with a task of its own.
    const taskIds: number[] = [];
    for (let i = 0; i < CARDS; i++) {
      const phone = `7953${String(i).padStart(7, '0')}`;
      const application = { ...sampleApplication(i), phone };
      const candidateId = `${application.applicationNumber}:1`;
      await ingestCandidates(
        db,
        [
          {
            candidateId,
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
        'SELECT ID FROM TM$CAMPAIGN_TASKS WHERE CANDIDATE_ID = ?',
        [candidateId],
      );
      if (!rows[0]) throw new Error(`bench: no task for ${candidateId}`);
      taskIds.push(Number(rows[0].id));
    }
    const serde = contractSerdes().callEvent;
    const producer = transport.createProducer();
    await producer.connect();
    for (let i = 0; i < CARDS; i++) {
      const operatorId = ids[i] as number;
      const event = {
        eventId: `bench-start-${suffix}-${i}`,
        type: 'CALL_STARTED' as const,
        taskId: taskIds[i] as number,
        operatorId,
        callId: `bench-call-${suffix}-${i}`,
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
    const metricsUrl = `${processes.opsUrl('arm')}/metrics`;
    let card = { boundMs: Number.NaN, count: 0 };
    for (const deadline = Date.now() + 60_000; card.count < CARDS && Date.now() < deadline; ) {
      await new Promise((r) => setTimeout(r, 250));
      card = histogramPercentile(await (await fetch(metricsUrl)).text(), 'arm_card_ready_seconds', 99);
    }

    const load = `${OPERATORS} connections at 1 request/s each for ${SECONDS} s on loopback (autocannon in the bench process; tm run arm and tm run security from dist/ as processes of their own, the ARM checking each request over HTTP); Kafka ${kafka.version}, PostgreSQL and Redis local, all on the same cores`;
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
        `hasChanges p99 over the security service's own checkAccess p99 (${checks.latency.p99} ms, p50 ${checks.latency.p50} ms, ${failures(checks)} failed) under the same load, same run`,
      ),
      reported(
        'arm.has-changes.cpu-per-request',
        cpuMsPerPoll,
        'ms',
        `CPU (user + system) of the ARM and the security service processes together per hasChanges during the run (from /proc): 1,000 operators polling once a second need ${((cpuMsPerPoll * OPERATORS) / 1000).toFixed(2)} cores of them, whatever else loads the machine`,
      ),
      atMost(
        'arm.card-ready.p99',
        card.boundMs,
        'ms',
        200,
        `${card.count} of ${CARDS} CALL_STARTED published on Kafka 50/s, from the event's time to the card stored in Redis and CLIENT_CARD_READY flagged; the upper bound of the arm_card_ready_seconds bucket holding the 99th percentile`,
      ),
      reported(
        'arm.login.p99',
        percentile(loginMs, 99),
        'ms',
        `${LOGINS} logins through the ARM and the security service (two at a time) with scrypt N=${config.security.password.cost}, r=${config.security.password.blockSize}, p=${config.security.password.parallelization}; p50 ${Math.round(percentile(loginMs, 50))} ms; bare scrypt verification in the bench process p50 ${Math.round(percentile(kdfMs, 50))} ms (login p99 / KDF p50 = ${(percentile(loginMs, 99) / percentile(kdfMs, 50)).toFixed(2)})`,
      ),
    ];
  } finally {
    const codes = await processes.stop();
    if (Object.values(codes).some((c) => c !== 0))
      console.error(`bench: runner exit codes ${JSON.stringify(codes)}`);
    await transport.close();
    await db.destroy();
    await redis.release();
    await postgres.release();
    await kafka.stop();
  }
}
