/**
 * The dialer (tm-mightycall-adapter) on Kafka and PostgreSQL against the telephony simulator in a process of its own
 * (`tm run simulators`, over HTTP as a real provider); the dialer runs in this process as `tm run dialer` runs it:
 *
 * - `dialer.dial-tasks`: a backlog of ADD dial tasks on tm-dial-tasks → stored → sent to the telephony; tasks per
 *   second from the first addTask to the last, counted by the simulator (which also proves none came twice);
 * - `dialer.poll-cpu`: 1,000 active operators (on a break, so nobody calls) polled once a second: CPU of this process;
 * - `dialer.call-started.p99`: 200 operators go READY and take the queued tasks; from each call's start at the
 *   simulator to its CALL_STARTED on the topic: the broker's append time of the record (ADR 0193). The bench's own
 *   read-back and each step's share (dialer-trace.ts) are reported beside it.
 *
 * BENCH_DIALER_TASKS sets the backlog (default 30,000), BENCH_DIALER_SECONDS each measuring window (default 20).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type CallEvent, loadPipelineConfig } from '@tm/contracts';
import { newRunId, providePostgres } from '@tm/infra';
import { kafkaTransport, StageMetrics } from '@tm/pipeline-core';
import { produce } from '@tm/pipeline-core/testing';
import type { Telephony } from '@tm/runners';
import {
  connectCampaignDb,
  contractSerdes,
  createDialer,
  type Dialer,
  ensurePipelineTopics,
  HttpTelephony,
  migrateToLatest,
  PipelineProcesses,
  writePipelineConfig,
} from '@tm/runners';
import { pino } from 'pino';
import { parseDocument } from 'yaml';
import { benchKafka } from '../kafka.js';
import { atLeast, atMost, type BenchResult } from '../results.js';
import { CallStartTrace, stamp } from './dialer-trace.js';

type Result = Omit<BenchResult, 'suite' | 'measuredAt'>;

const TASKS = Number(process.env.BENCH_DIALER_TASKS ?? 30_000);
const SECONDS = Number(process.env.BENCH_DIALER_SECONDS ?? 20);
const POLLED_OPERATORS = 1000;
const READY_OPERATORS = 200;
/** The simulator's default account key and operators' secret (the dialer reads the same from the environment). */
const API_KEY = 'tm-demo-telephony-key';
const OPERATOR_SECRET = 'tm-demo-operator-secret';

interface Stats {
  addTasks: number;
  duplicateReferences: string[];
  callsMade: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values: readonly number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

export async function dialerSuite(): Promise<Result[]> {
  const kafka = await benchKafka();
  const postgres = await providePostgres(newRunId());
  const suffix = newRunId();
  const workDir = mkdtempSync(join(tmpdir(), 'tm-bench-dialer-'));
  const written = await writePipelineConfig({
    workDir,
    suffix,
    brokers: kafka.brokers,
    databaseUrl: postgres.url,
  });
  const doc = parseDocument(readFileSync(written.file, 'utf8'));
  doc.setIn(['simulators', 'telephony', 'latency'], { 'fixed-ms': 0, 'jitter-ms': 1 });
  doc.setIn(['simulators', 'telephony', 'time-scale'], 60); // a 90-second call lasts 1.5 s
  doc.setIn(['simulators', 'telephony', 'ring-ms'], 20);
  writeFileSync(written.file, doc.toString());
  const config = loadPipelineConfig(written.file, {});
  const processes = new PipelineProcesses(written.file, workDir, suffix, 'source');
  const telephonyUrl = `http://127.0.0.1:${config.simulators.telephony.port}`;
  const stats = async () => (await (await fetch(`${telephonyUrl}/__sim/telephony/stats`)).json()) as Stats;
  const db = connectCampaignDb(postgres.url, { poolMax: 8 });
  const transport = kafkaTransport({ brokers: kafka.brokers, clientId: `bench-dialer-${suffix}` });
  const serdes = contractSerdes(config);
  const trace = new CallStartTrace(config.topics.callEvents, serdes.callEvent);
  const dialers: Dialer[] = [];
  let registry = new StageMetrics().registry;
  /** A counter or histogram of the running dialer's metrics: its total, or the sum and count of a histogram. */
  const metric = async (name: string) => {
    const values = ((await registry.getSingleMetric(name)?.get())?.values ?? []) as {
      value: number;
      metricName?: string;
    }[];
    const of = (suffix: string) =>
      values.filter((v) => v.metricName === name + suffix).reduce((a, v) => a + v.value, 0);
    return {
      total: values
        .filter((v) => v.metricName === undefined || v.metricName === name)
        .reduce((a, v) => a + v.value, 0),
      sum: of('_sum'),
      count: of('_count'),
    };
  };
  const telephonies: HttpTelephony[] = [];
  const newDialer = async (options: { stub?: boolean; group?: string } = {}) => {
    const http = new HttpTelephony({
      url: telephonyUrl,
      apiKey: API_KEY,
      timeoutMs: config.dialer.telephonyTimeoutMs,
      connections: 64,
    });
    telephonies.push(http);
    // The peer: a telephony in this process that answers at once, to tell the dialer's own cost from the simulator's.
    let next = 0;
    const stub: Telephony = {
      authenticate: async (operatorId) => ({ operatorId, token: 't', expiresAt: Date.now() + 3_600_000 }),
      setStatus: async () => {},
      addTask: async () => {
        next += 1;
        return { externalId: `stub-${next}` };
      },
      addTasks: async (tasks) =>
        tasks.map(() => {
          next += 1;
          return { externalId: `stub-${next}` };
        }),
      findTask: async () => undefined,
      deleteTask: async () => 'NOT_FOUND',
      pollEvents: async () => ({ events: [], cursor: '0' }),
    };
    const telephony = options.stub ? stub : trace.telephony(http);
    const metrics = new StageMetrics();
    const dialer = createDialer({
      config: options.group
        ? { ...config, dialer: { ...config.dialer, consumerGroup: options.group } }
        : config,
      transport: trace.transport(transport),
      db,
      telephony,
      operatorSecret: OPERATOR_SECRET,
      logger: pino({ level: 'warn' }),
      metrics,
    });
    dialers.push(dialer);
    registry = metrics.registry;
    await dialer.start();
    return dialer;
  };
  try {
    await processes.start('simulators');
    await migrateToLatest(db);
    // tm-call-events stamps each record with the broker's append time: when it is on the topic (ADR 0193).
    await transport.ensureTopics([
      {
        topic: config.topics.callEvents,
        partitions: config.topics.partitions,
        replicationFactor: config.topics.replicationFactor,
        config: { 'message.timestamp.type': 'LogAppendTime' },
      },
    ]);
    await ensurePipelineTopics(transport, config);

    // 1. Dial tasks from the topic into the telephony.
    await db.raw(
      `INSERT INTO TM$CAMPAIGNS (ID, NAME, DOMAIN) VALUES (1, 'bench', 'LOANS') ON CONFLICT (ID) DO NOTHING`,
    );
    const { rows } = await db.raw<{ rows: { id: string; phone: string }[] }>(
      `INSERT INTO TM$CAMPAIGN_TASKS
         (PHONE, CLIENT_INFO, TASK_TIME, TASK_TYPE, TASK_STATE, CAMPAIGN_ID, CANDIDATE_ID, ATTEMPT, CLIENT_TIME_ZONE)
       SELECT '7950' || lpad(g::text, 7, '0'), '{}'::jsonb, now(), 'PHONE_MIGHTYCALL', 'IN_PROGRESS', 1,
              'bench-' || g, 1, 'Europe/Moscow'
         FROM generate_series(1, ?) g
       RETURNING ID, PHONE`,
      [TASKS],
    );
    for (let i = 0; i < rows.length; i += 5000) {
      await produce(
        transport,
        rows.slice(i, i + 5000).map((r) => ({
          topic: config.topics.dialTasks,
          key: r.phone,
          value: serdes.dialTask.encode({
            dialTaskId: `ADD:${r.id}:1`,
            action: 'ADD',
            taskId: Number(r.id),
            campaignId: 1,
            phone: r.phone,
            attempt: 1,
            clientTimeZone: 'Europe/Moscow',
            createdAt: Date.now(),
          }),
        })),
      );
    }
    const sentCount = async (target: number) => {
      let first: { at: number; count: number } | undefined;
      for (;;) {
        const sent = (await metric('dialer_sends_total')).total;
        if (!first && sent > 0) first = { at: performance.now(), count: sent };
        if (sent >= target) break;
        await sleep(5);
      }
      const { at, count } = first as { at: number; count: number };
      return (target - count) / ((performance.now() - at) / 1000);
    };
    const peer = await newDialer({ stub: true, group: `${config.dialer.consumerGroup}-peer` });
    const peerRate = await sentCount(TASKS);
    await peer.stop();
    dialers.splice(dialers.indexOf(peer), 1);
    await db.raw('TRUNCATE TM$MIGHTYCALL_TASKS');
    console.error(`bench: the dialer against an in-process telephony: ${Math.round(peerRate)} tasks/s`);
    let dialer = await newDialer();
    // Counted in this process (the dialer's own counter of answered addTasks); the simulator's count checks it after.
    const sendRate = await sentCount(TASKS);
    const afterSend = await stats();
    if (afterSend.addTasks !== TASKS)
      throw new Error(`bench: the telephony counted ${afterSend.addTasks} addTasks`);
    console.error(
      `bench: ${TASKS} dial tasks sent at ${Math.round(sendRate)}/s; duplicates ${afterSend.duplicateReferences.length}`,
    );

    // 2. CPU of polling 1,000 operators once a second (on a break: nobody takes the queued tasks).
    const operatorIds = Array.from({ length: POLLED_OPERATORS }, (_, i) => 5000 + i);
    await db.raw(
      `INSERT INTO TM$OPERATORS (ID, LOGIN, PASSWORD, ROLE, FIRST_NAME, LAST_NAME)
       SELECT g, 'bench-op-' || g, 'x', 'OPERATOR', 'B', 'O' FROM unnest(?::bigint[]) g`,
      [operatorIds],
    );
    await db.raw(
      `INSERT INTO TM$MIGHTYCALL_ACTIVE_OPERATORS (OPERATOR_ID, STATUS) SELECT g, 'BREAK' FROM unnest(?::bigint[]) g`,
      [operatorIds],
    );
    await dialer.stop();
    dialers.splice(dialers.indexOf(dialer), 1);
    dialer = await newDialer(); // loads the 1,000 from the table, as after a restart
    await sleep(5000); // logins, statuses, the pools warm
    const cpuBefore = process.cpuUsage();
    const wallBefore = performance.now();
    await sleep(SECONDS * 1000);
    const cpu = process.cpuUsage(cpuBefore);
    const cores = (cpu.user + cpu.system) / 1000 / (performance.now() - wallBefore);
    const polls = await metric('dialer_poll_seconds');
    const pollMs = (polls.sum / polls.count) * 1000;
    console.error(
      `bench: polling ${POLLED_OPERATORS} operators: ${cores.toFixed(3)} cores; a poll takes ${pollMs.toFixed(1)} ms on average`,
    );

    // 3. CALL_STARTED latency: READY_OPERATORS go READY and take the queued tasks.
    const latencies: number[] = [];
    const appendLatencies: number[] = [];
    const consumer = transport.createConsumer({
      groupId: `bench-dialer-events-${suffix}`,
      topics: [config.topics.callEvents],
      fromBeginning: false,
      readCommitted: false,
    });
    await consumer.start({
      onBatch: (batch) => {
        const now = Date.now();
        const at = stamp();
        for (const r of batch.records) {
          const e = serdes.callEvent.decode(r.value as Buffer) as CallEvent;
          if (e.type !== 'CALL_STARTED') continue;
          latencies.push(now - e.occurredAt);
          appendLatencies.push(r.timestamp - e.occurredAt);
          trace.readBack(e, r.timestamp, at);
        }
      },
      onAssignment: () => {},
      onCrash: () => {},
    });
    await sleep(3000); // the consumer joins before the first call
    trace.record();
    await produce(
      transport,
      operatorIds.slice(0, READY_OPERATORS).map((operatorId) => ({
        topic: config.topics.operatorSessions,
        key: String(operatorId),
        value: serdes.operatorSession.encode({
          eventId: `bench-ready-${operatorId}`,
          operatorId,
          action: 'READY',
          reason: null,
          occurredAt: Date.now(),
        }),
      })),
    );
    await sleep(SECONDS * 1000);
    await consumer.stop();
    const calls = (await stats()).callsMade;
    // On the topic = the broker's append time of the record (ADR 0193); the bench's own read-back is reported beside it.
    const p99 = percentile(appendLatencies, 99);
    const limit = config.dialer.pollIntervalMs + 50;
    const onTopic = `p50/p99/max ${percentile(appendLatencies, 50)}/${p99}/${Math.max(...appendLatencies)} ms`;
    const readBack = `p50/p99/max ${percentile(latencies, 50)}/${percentile(latencies, 99)}/${Math.max(...latencies)} ms`;
    const breakdown = trace.summary((s) => s.appended - s.at);
    console.error(
      `bench: CALL_STARTED on the topic (append time) ${onTopic} over ${appendLatencies.length} calls`,
    );
    console.error(`bench: CALL_STARTED read back by the bench's consumer ${readBack}`);
    console.error(`bench: ${breakdown}`);
    const setup = `load average ${loadavg()[0]?.toFixed(1)} at the end (a shared machine); dialer in this process, telephony simulator over HTTP (keep-alive, 0-1 ms), ${config.topics.partitions} partitions, PostgreSQL ${postgres.serverVersion}, Kafka ${kafka.version}`;
    return [
      atLeast(
        'dialer.dial-tasks',
        sendRate,
        'tasks/s',
        5000,
        `${TASKS.toLocaleString('en-US')} ADD dial tasks on the topic, stored (batches of ${config.dialer.send.batchSize}) and sent ${config.dialer.send.addBatchSize} to an addTasks request (ADR 0170; up to ${config.dialer.send.concurrency} requests in flight), from the first answered batch to the last (the simulator's count checked after); ${afterSend.duplicateReferences.length} sent twice; the same dialer against an in-process telephony that answers at once: ${Math.round(peerRate).toLocaleString('en-US')} tasks/s; ${setup}`,
      ),
      atMost(
        'dialer.poll-cpu',
        cores,
        'cores',
        0.25,
        `${POLLED_OPERATORS.toLocaleString('en-US')} active operators polled every ${config.dialer.pollIntervalMs} ms (${config.dialer.pollConcurrency} at once), CPU of the dialer's process over ${SECONDS} s; ${setup}`,
      ),
      atMost(
        'dialer.call-started.p99',
        p99,
        'ms',
        limit,
        `from the call's start at the simulator to its CALL_STARTED on the topic, the broker's append time of the record (tm-call-events with message.timestamp.type=LogAppendTime in the bench; ADR 0193): ${onTopic}; read back by the bench's consumer in the dialer's process ${readBack}; ${appendLatencies.length} calls of ${READY_OPERATORS} READY operators (${calls} made in all), poll every ${config.dialer.pollIntervalMs} ms (rounds, READY operators first); ${breakdown}; ${setup}`,
      ),
    ];
  } finally {
    for (const d of dialers) await d.stop().catch(() => {});
    for (const t of telephonies) await t.close().catch(() => {});
    await processes.stop();
    await transport.close();
    await db.destroy();
    await postgres.release();
    await kafka.stop();
    rmSync(workDir, { recursive: true, force: true });
  }
}
