/**
 * `tm run security` and `tm run arm` as processes of their own (from dist/, as the image runs them; ADR 0066) on
 * Kafka, PostgreSQL and Redis, driven over loopback by this process:
 *
 * - `arm.has-changes.p99`: 1,000 operators, each on a keep-alive connection of its own, each polling hasChanges as
 *   the operator page does — the next poll a second after the answer — from a random phase of the first second, so
 *   the polls are spread over the second (ADR 0127). The ARM checks each token through the access cache (ADR 0125),
 *   as `tm run arm` does with $TM_ACCESS_CACHE_KEY set. The security service's own checkAccess under the same load
 *   is the cache-miss path's peer.
 * - `arm.has-changes.burst.p99`: the same 1,000 connections as autocannon drives them (`connectionRate: 1`), which
 *   sends each second's 1,000 polls in one synchronised burst: reported, labelled as such, no target.
 * - `arm.card-ready.p99`: CALL_STARTED published for 300 operators, 50 a second, to the card stored in Redis and
 *   flagged, from the event's time, read from the ARM's `arm_card_ready_seconds` histogram (the bound of the bucket
 *   holding the 99th percentile);
 * - `arm.login.p99`: logins through the ARM with the configured scrypt cost, against bare scrypt verifications.
 *
 * BENCH_ARM_SECONDS sets each polling run's length (default 20); BENCH_ARM_ACCESS_CACHE=off runs the services
 * without the access cache's key, for comparison.
 */
import { spawn } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
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
import { Client } from 'undici';
import { benchKafka } from '../kafka.js';
import { atMost, type BenchResult, reported } from '../results.js';
import { buildRunners, runnerNodeArgs } from '../runner-image.js';
import { sampleApplication } from './core.js';

type Result = Omit<BenchResult, 'suite' | 'measuredAt'>;

const OPERATORS = 1000;
const CARDS = 300;
const LOGINS = 60;
const LOGIN_TRIES = 3;
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

/** autocannon: `connections` clients each sending one request a second — in synchronised bursts. */
function burst(
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

/** What {@link poll} measured. */
interface PollResult {
  /** From each request sent to its answer read, ms. */
  latencies: number[];
  /** How late this process's timers woke its operators, ms (its own load, not the server's). */
  timerLags: number[];
  failed: number;
  seconds: number;
}

/**
 * `OPERATORS` virtual operators, each on a keep-alive connection of its own (undici `Client`, as a browser keeps
 * one), each polling as the operator page does (packages/web `OperatorDesk`): a request, its answer, a second's
 * pause, the next request — starting at a random phase of the first second, so the polls are spread over the second
 * rather than sent in bursts (ADR 0127). A server that falls behind shows as latency and as fewer requests a second.
 */
async function poll(
  clients: readonly Client[],
  path: string,
  seconds: number,
  setup: (i: number) => { method: 'GET' | 'POST'; headers: Record<string, string>; body?: string },
): Promise<PollResult> {
  const result: PollResult = { latencies: [], timerLags: [], failed: 0, seconds };
  const end = performance.now() + seconds * 1000;
  const pause = async (ms: number) => {
    const due = performance.now() + ms;
    await new Promise((r) => setTimeout(r, ms));
    result.timerLags.push(performance.now() - due);
  };
  const operator = async (i: number, client: Client) => {
    await pause(Math.random() * 1000);
    while (performance.now() < end) {
      const sent = performance.now();
      try {
        const response = await client.request({ path, ...setup(i) });
        await response.body.text();
        if (response.statusCode !== 200) result.failed += 1;
      } catch {
        result.failed += 1;
      }
      result.latencies.push(performance.now() - sent);
      await pause(1000);
    }
  };
  await Promise.all(clients.map((client, i) => operator(i, client)));
  return result;
}

/**
 * One keep-alive connection per operator to `origin`, as each operator's browser keeps one: made once and polled
 * through by the warm-up and the measured run, so the figure holds no connection set-up (1,000 connects in one
 * second overflow a busy server's accept queue, and a dropped SYN is retried after 1, 3, 7, 15 s).
 */
function connections(origin: string): Client[] {
  return Array.from({ length: OPERATORS }, () => new Client(origin, { keepAliveTimeout: 60_000 }));
}

/**
 * The floor under the ARM's figure: a bare `node:http` server in a process of its own, answering every request with
 * the body and headers of an idle operator's hasChanges and doing nothing else. Polled by the same driver on the
 * same machine, it shows what the driver, the kernel and the scheduler alone cost (ADR 0165).
 */
async function startFloorServer(): Promise<{
  origin: string;
  pid: number | undefined;
  stop: () => Promise<void>;
}> {
  const script = `
    const body = JSON.stringify({ status: 'OK', data: { hasChanges: false, changes: [], pollIntervalMs: 1000 } });
    const server = require('node:http').createServer((request, response) => {
      request.resume();
      response.writeHead(200, {
        'content-type': 'application/json; charset=utf-8',
        'content-length': Buffer.byteLength(body),
        'x-content-type-options': 'nosniff',
        'cache-control': 'no-store',
      });
      response.end(body);
    });
    server.keepAliveTimeout = 72000;
    server.listen(0, '127.0.0.1', () => console.log(server.address().port));
    process.on('SIGTERM', () => process.exit(0));`;
  const child = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const port = await new Promise<string>((resolve, reject) => {
    child.stdout?.setEncoding('utf8').once('data', (text: string) => resolve(text.trim()));
    child.once('exit', (code) => reject(new Error(`bench: the floor server exited with ${code}`)));
  });
  return {
    origin: `http://127.0.0.1:${port}`,
    pid: child.pid,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

/** p50/p99/max of a poll, in ms, for the notes. */
function spread(r: PollResult): string {
  const f = (v: number) => (v >= 100 ? v.toFixed(0) : v.toFixed(2));
  return `p50 ${f(percentile(r.latencies, 50))} ms, p99 ${f(percentile(r.latencies, 99))} ms, max ${f(Math.max(...r.latencies))} ms, ${(r.latencies.length / r.seconds).toFixed(0)} requests/s, ${r.failed} failed`;
}

/** The value of an unlabelled-or-labelled counter sample in Prometheus text (0 when absent). */
function counterValue(text: string, sample: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${sample} `));
  return line ? Number(line.slice(sample.length + 1)) : 0;
}

/** The value of the first sample of `name` (any labels) in Prometheus text (NaN when absent). */
function gaugeValue(text: string, name: string): number {
  const line = text.split('\n').find((l) => l.startsWith(`${name} `) || l.startsWith(`${name}{`));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : Number.NaN;
}

/** The sum over every labelled sample of `name` in Prometheus text. */
function summed(text: string, name: string): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
    .reduce((total, l) => total + Number(l.slice(l.lastIndexOf(' ') + 1)), 0);
}

/**
 * A runner's event-loop delay and GC over a window, from its /metrics (prom-client's default metrics, ADR 0129):
 * the event-loop delay histogram is reset by each scrape, so a scrape at the window's start and one at its end give
 * the window's p99 and max; GC is the difference of `nodejs_gc_duration_seconds` (every kind) between the two.
 */
interface LoopWindow {
  lagP99Ms: number;
  lagMaxMs: number;
  gcMs: number;
  gcCount: number;
}
function loopWindow(before: string, after: string): LoopWindow {
  const gc = (t: string) => ({
    s: summed(t, 'nodejs_gc_duration_seconds_sum'),
    n: summed(t, 'nodejs_gc_duration_seconds_count'),
  });
  return {
    lagP99Ms: gaugeValue(after, 'nodejs_eventloop_lag_p99_seconds') * 1000,
    lagMaxMs: gaugeValue(after, 'nodejs_eventloop_lag_max_seconds') * 1000,
    gcMs: (gc(after).s - gc(before).s) * 1000,
    gcCount: gc(after).n - gc(before).n,
  };
}

/**
 * prom-client's event-loop histogram times a 10-ms timer (its default `eventLoopMonitoringPrecision`) and records
 * each interval whole: an idle loop reads 10 ms, so how late the loop was is the figure less 10 ms (ADR 0194).
 */
const PROM_LOOP_INTERVAL_MS = 10;

function loopText(name: string, w: LoopWindow, seconds: number): string {
  const late = (ms: number) => Math.max(0, ms - PROM_LOOP_INTERVAL_MS).toFixed(1);
  return `${name} event loop late p99 ${late(w.lagP99Ms)} ms, max ${late(w.lagMaxMs)} ms (prom-client's 10-ms timer read p99 ${w.lagP99Ms.toFixed(1)}, max ${w.lagMaxMs.toFixed(1)} ms), GC ${w.gcCount} pauses, ${(w.gcMs / seconds).toFixed(1)} ms a second`;
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
  // The access cache's key, shared by the two services as in production (ADR 0126); BENCH_ARM_ACCESS_CACHE=off
  // leaves it out, for the figures without the cache (every request checked over HTTP).
  const cacheOn = process.env.BENCH_ARM_ACCESS_CACHE !== 'off';
  const env: Record<string, string> = { REDIS_URL: redis.url };
  if (cacheOn) env.TM_ACCESS_CACHE_KEY = randomBytes(32).toString('hex');
  const db = connectCampaignDb(postgres.url, { poolMax: 4 });
  const transport = kafkaTransport({ brokers: kafka.brokers, clientId: 'bench-arm' });
  const clients: Client[] = [];
  try {
    // With the image's Node flags (ADR 0066), or BENCH_NODE_ARGS (e.g. --cpu-prof).
    const nodeArgs = runnerNodeArgs();
    await processes.start('security', { env, nodeArgs });
    await processes.start('arm', { env, nodeArgs });
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
    // A login the ARM answers 503 (its security timeout passed while scrypt waited for a core of a starved machine)
    // is tried again, at most LOGIN_TRIES times; the figure holds the successful attempts, the retries are counted.
    let loginRetries = 0;
    const loginOne = async (i: number, tries = LOGIN_TRIES): Promise<string> => {
      const started = performance.now();
      const response = await fetch(`${armUrl}/api/arm/v1/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ login: `op${i}`, password: 'bench-password' }),
      });
      const body = (await response.json()) as { status?: string; data?: { token: string } };
      if (!body.data && body.status === 'SERVICE_UNAVAILABLE' && tries > 1) {
        loginRetries += 1;
        await new Promise((r) => setTimeout(r, 1000));
        return loginOne(i, tries - 1);
      }
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

    // hasChanges: 1,000 operators polling once a second at random phases. The warm-up opens every poller's
    // session (OPEN on the topic), fills the access cache and the connection pools.
    const hasChanges = (i: number) => ({
      method: 'GET' as const,
      headers: { authorization: `Bearer ${tokens[i % OPERATORS]}` },
    });
    const hasChangesUrl = `${armUrl}/api/arm/v1/hasChanges`;
    const hasChangesPath = '/api/arm/v1/hasChanges';
    const armMetrics = async () => (await fetch(`${processes.opsUrl('arm')}/metrics`)).text();
    const toArm = connections(armUrl);
    const toSecurity = connections(securityUrl);
    clients.push(...toArm, ...toSecurity);
    await poll(toArm, hasChangesPath, 8, hasChanges);
    const cpu = () => ({
      arm: cpuSeconds(processes.pid('arm')),
      security: cpuSeconds(processes.pid('security')),
    });
    const checksBy = (text: string) => ({
      cache: counterValue(text, 'arm_access_checks_total{via="cache"}'),
      service: counterValue(text, 'arm_access_checks_total{via="service"}'),
      memory: counterValue(text, 'arm_cached_reads_total{from="memory"}'),
      store: counterValue(text, 'arm_cached_reads_total{from="store"}'),
    });
    const securityMetrics = async () => (await fetch(`${processes.opsUrl('security')}/metrics`)).text();
    const loadBefore = loadavg()[0] as number;
    const cpuBefore = cpu();
    const driverCpuBefore = process.cpuUsage();
    const armTextBefore = await armMetrics();
    const securityTextBefore = await securityMetrics();
    const viaBefore = checksBy(armTextBefore);
    // This process's own event-loop delay at 1 ms resolution: a late driver adds its delay to every latency.
    const driverLoop = monitorEventLoopDelay({ resolution: 1 });
    driverLoop.enable();
    const arms = await poll(toArm, hasChangesPath, SECONDS, hasChanges);
    driverLoop.disable();
    const armTextAfter = await armMetrics();
    const securityTextAfter = await securityMetrics();
    const viaAfter = checksBy(armTextAfter);
    const driverCpu = process.cpuUsage(driverCpuBefore);
    const cpuAfter = cpu();
    const loadAfter = loadavg()[0] as number;
    const armLoop = loopWindow(armTextBefore, armTextAfter);
    const securityLoop = loopWindow(securityTextBefore, securityTextAfter);
    const driverLoopP99Ms = driverLoop.percentile(99) / 1e6;
    const driverCpuMs = (driverCpu.user + driverCpu.system) / 1000 / arms.latencies.length;
    const loops = `${loopText('ARM', armLoop, SECONDS)}; ${loopText('security', securityLoop, SECONDS)}; bench driver event loop late p99 ${Math.max(0, driverLoopP99Ms - 1).toFixed(1)} ms, max ${Math.max(0, driverLoop.max / 1e6 - 1).toFixed(1)} ms (1-ms timer), its CPU ${driverCpuMs.toFixed(3)} ms per poll`;
    const requests = arms.latencies.length;
    // CPU per request of each service: what 1,000 polling operators cost whatever else the machine runs.
    const armCpuMs = ((cpuAfter.arm - cpuBefore.arm) * 1000) / requests;
    const securityCpuMs = ((cpuAfter.security - cpuBefore.security) * 1000) / requests;
    const fromCache = viaAfter.cache - viaBefore.cache;
    const fromService = viaAfter.service - viaBefore.service;
    const readsFrom = `poll reads (access entry, pending changes) ${viaAfter.memory - viaBefore.memory} from the ARM's memory, ${viaAfter.store - viaBefore.store} from Redis (ADR 0167)`;
    // The floor: the same driver polling a bare HTTP server (ADR 0165), the ARM and the security service idle.
    const floorServer = await startFloorServer();
    const toFloor = connections(floorServer.origin);
    await poll(toFloor, hasChangesPath, 3, hasChanges);
    const floorCpuBefore = cpuSeconds(floorServer.pid);
    const floor = await poll(toFloor, hasChangesPath, SECONDS, hasChanges);
    const floorCpuMs = ((cpuSeconds(floorServer.pid) - floorCpuBefore) * 1000) / floor.latencies.length;
    await Promise.allSettled(toFloor.map((c) => c.close()));
    await floorServer.stop();
    const floorText = `the floor (a bare node:http server polled the same way, same run): ${spread(floor)}, its CPU ${floorCpuMs.toFixed(3)} ms per poll`;
    const checkAccess = (i: number) => ({
      method: 'POST' as const,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ token: tokens[i % OPERATORS], updateExpire: true }),
    });
    await poll(toSecurity, '/api/security/v1/checkAccess', 3, checkAccess);
    const checks = await poll(toSecurity, '/api/security/v1/checkAccess', SECONDS, checkAccess);
    const bursts = await burst(hasChangesUrl, 10, hasChanges);
    const burstFailures = bursts.errors + bursts.timeouts + bursts.non2xx;
    const timerLag99 = percentile(arms.timerLags, 99);
    console.error(
      `bench: hasChanges ${spread(arms)}; ARM ${armCpuMs.toFixed(3)} + security ${securityCpuMs.toFixed(3)} ms CPU each; access checks ${fromCache} from the cache, ${fromService} by the service; ${readsFrom}; bench timer lag p99 ${timerLag99.toFixed(1)} ms; ${loops}; ${floorText}; checkAccess ${spread(checks)}; burst p50/p99 ${bursts.latency.p50}/${bursts.latency.p99} ms; load ${loadBefore.toFixed(2)} → ${loadAfter.toFixed(2)}`,
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

    const load = `${OPERATORS} operators polling once a second each at a random phase, each on a keep-alive connection of its own, as the operator page polls (the next poll a second after the answer), for ${SECONDS} s on loopback (from the bench process, undici; ADR 0127); tm run arm and tm run security from dist/ as processes of their own, ${cacheOn ? 'the ARM checking tokens through the access cache (ADR 0125)' : 'the access cache OFF (BENCH_ARM_ACCESS_CACHE=off): every token checked over HTTP'}; Kafka ${kafka.version}, PostgreSQL and Redis local, all on the same cores; 1-min load average ${loadBefore.toFixed(2)} before, ${loadAfter.toFixed(2)} after`;
    return [
      atMost(
        'arm.has-changes.p99',
        percentile(arms.latencies, 99),
        'ms',
        10,
        `GET /api/arm/v1/hasChanges, ${load}; ${spread(arms)}; latency from send to answer (this process's own timer lag p99 ${timerLag99.toFixed(1)} ms, beside it, tells how loaded the driver was); access checks ${fromCache} answered from the cache, ${fromService} by the service over HTTP; ${readsFrom}; ${loops}; ${floorText}`,
      ),
      reported(
        'arm.has-changes.requests-per-second',
        requests / SECONDS,
        'requests/s',
        `the same run: answered hasChanges per second`,
      ),
      reported(
        'arm.has-changes.cpu-per-request',
        armCpuMs,
        'ms',
        `CPU (user + system, from /proc) of the ARM process per hasChanges in the same run; the security service's ${securityCpuMs.toFixed(3)} ms beside it (its background refreshes and misses): 1,000 operators polling once a second need ${(((armCpuMs + securityCpuMs) * requests) / SECONDS / 1000).toFixed(2)} cores of the two`,
      ),
      reported(
        'arm.has-changes.floor.p99',
        percentile(floor.latencies, 99),
        'ms',
        `what the driver, the kernel and the scheduler alone cost: ${floorText}; subtract nothing, compare (ADR 0165)`,
      ),
      reported(
        'arm.check-access.p99',
        percentile(checks.latencies, 99),
        'ms',
        `the security service's POST /checkAccess (updateExpire, one PostgreSQL statement each) under the same polling load, same run: the path a request takes on a cache miss; ${spread(checks)}`,
      ),
      reported(
        'arm.has-changes.burst.p99',
        bursts.latency.p99,
        'ms',
        `SYNCHRONISED BURSTS, not the operators' load: autocannon, ${OPERATORS} connections at connectionRate 1 for 10 s, which sends each second's polls together, so this measures how long a burst of 1,000 takes to drain; p50 ${bursts.latency.p50} ms, ${bursts.requests.total} requests, ${burstFailures} failed`,
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
        `${LOGINS} logins through the ARM and the security service (two at a time) with scrypt N=${config.security.password.cost}, r=${config.security.password.blockSize}, p=${config.security.password.parallelization}; p50 ${Math.round(percentile(loginMs, 50))} ms; bare scrypt verification in the bench process p50 ${Math.round(percentile(kdfMs, 50))} ms (login p99 / KDF p50 = ${(percentile(loginMs, 99) / percentile(kdfMs, 50)).toFixed(2)}); ${loginRetries} attempts answered 503 and tried again`,
      ),
    ];
  } finally {
    await Promise.allSettled(clients.map((c) => c.close()));
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
