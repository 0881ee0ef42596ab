/**
 * The KPI stage through its runner code (createKpiService and buildKpiHttp, as `tm run kpi` builds them) on Kafka:
 *
 * - `kpi.throughput`: records/s aggregated from a backlog of every topic (a working day of applications,
 *   candidates, rejections, dial tasks, call events, results and sessions), from the first record counted to the
 *   last, state flushed to its changelogs on the way; beside it, the same backlog read by a bare stage that only
 *   acks (the in-run peer: what consuming alone costs), as a ratio;
 * - `kpi.freshness.p99`: with the stage caught up, applications appended one at a time; for each, the time from
 *   the broker's acknowledgement of the append to the KPI API (HTTP) counting it.
 *
 * `KPI_BENCH_CLIENTS` (default 60,000: about 300,000 records) and `KPI_BENCH_PROBES` (default 300) size it.
 */

import { cpus, loadavg } from 'node:os';
import { defaultConfigPath, loadPipelineConfig, type PipelineConfig } from '@tm/contracts';
import { bufferSerde, createStage, kafkaTransport, StageMetrics, type Transport } from '@tm/pipeline-core';
import { buildKpiHttp, createKpiService, kpiEvents, kpiRecords, workingDay } from '@tm/runners';
import { pino } from 'pino';
import { map } from 'rxjs';
import { benchKafka, benchName } from '../kafka.js';
import { atLeast, atMost, type BenchResult, secondsSince } from '../results.js';

type Result = Omit<BenchResult, 'suite' | 'measuredAt'>;

const CLIENTS = Number(process.env.KPI_BENCH_CLIENTS ?? 60_000);
const PROBES = Number(process.env.KPI_BENCH_PROBES ?? 300);

async function until(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what: string,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`bench: timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

function benchConfig(brokers: readonly string[]): PipelineConfig {
  const base = loadPipelineConfig(defaultConfigPath(), { ...process.env, KAFKA_BROKERS: brokers.join(',') });
  const incoming = benchName('bench-kpi-incoming');
  return {
    ...base,
    events: { ...base.events, dataStreams: base.events.dataStreams.map((s) => ({ ...s, topic: incoming })) },
    topics: {
      ...base.topics,
      incomingEvents: incoming,
      candidates: benchName('bench-kpi-candidates'),
      rejections: benchName('bench-kpi-rejections'),
      dialTasks: benchName('bench-kpi-dial-tasks'),
      callEvents: benchName('bench-kpi-call-events'),
      communicationResults: benchName('bench-kpi-results'),
      operatorSessions: benchName('bench-kpi-sessions'),
    },
    kpi: { ...base.kpi, applicationId: benchName('bench-kpi') },
  };
}

/** Records/s a stage that only acks reads the same topics at: the in-run peer of the KPI stage. */
async function consumeOnly(
  transport: Transport,
  topics: readonly string[],
  total: number,
): Promise<{ rate: number; cpuUs: number }> {
  let seen = 0;
  let startedAt: bigint | undefined;
  let cpuAt: NodeJS.CpuUsage | undefined;
  const stage = createStage<Buffer>({
    name: benchName('bench-kpi-peer'),
    transport,
    logger: pino({ level: 'warn' }),
    metrics: new StageMetrics(),
    input: { topics, serde: bufferSerde() },
    maxInFlight: 50_000,
    process: (records) =>
      records.pipe(
        map((r) => {
          startedAt ??= process.hrtime.bigint();
          cpuAt ??= process.cpuUsage();
          seen += 1;
          return r.withValue([]);
        }),
      ),
  });
  await stage.start();
  try {
    await until(() => seen >= total, 600_000, `the peer reading ${total} records`);
    return { rate: total / secondsSince(startedAt as bigint), cpuUs: cpuPerRecord(cpuAt, total) };
  } finally {
    await stage.stop();
  }
}

/**
 * CPU time (user + system) of this process since `since`, per record, microseconds: unlike records/s it hardly
 * depends on how busy the shared machine is (the broker is another process).
 */
const cpuPerRecord = (since: NodeJS.CpuUsage | undefined, records: number): number => {
  const used = process.cpuUsage(since);
  return (used.user + used.system) / records;
};

/** The 1-minute load average, as `uptime` prints it: these machines are shared, so a figure says how busy it was. */
const load = () => (loadavg()[0] ?? 0).toFixed(2);

export async function kpiSuite(): Promise<Result[]> {
  const loadBefore = load();
  const kafka = await benchKafka();
  const config = benchConfig(kafka.brokers);
  const transport = kafkaTransport({ brokers: kafka.brokers, clientId: 'bench' });
  const metrics = new StageMetrics();
  const kpi = createKpiService({ config, transport, metrics, logger: pino({ level: 'warn' }) });
  const http = buildKpiHttp(kpi, { webDir: null });
  try {
    // a working day's backlog on every topic, its events spread over the last 8 hours
    const spanMs = 8 * 3_600_000;
    const day = workingDay(config, Date.now() - spanMs, CLIENTS, Math.floor(spanMs / (CLIENTS * 6)));
    const total = day.records.length;
    await kpi.prepare(); // creates the topics and the changelogs
    const producer = transport.createProducer();
    await producer.connect();
    for (let i = 0; i < total; i += 5_000) await producer.send(day.records.slice(i, i + 5_000));

    const counted = () => kpi.view.totals('day', Date.now()).counters.applications ?? 0;
    const recordsIn = async () => {
      const values =
        (await metrics.registry.getSingleMetric('pipeline_records_in_total')?.get())?.values ?? [];
      return values.reduce((sum, v) => sum + v.value, 0);
    };
    await kpi.runnable().start();
    await until(async () => (await recordsIn()) > 0, 120_000, 'the first record');
    const startedAt = process.hrtime.bigint();
    const cpuAt = process.cpuUsage();
    await until(
      () => (kpi.view.totals('day', Date.now()).counters['calls.ended'] ?? 0) >= day.expected.calls,
      600_000,
      `${total} records aggregated`,
    );
    const throughput = total / secondsSince(startedAt);
    const cpuUs = cpuPerRecord(cpuAt, total);
    if (counted() !== day.expected.applications)
      throw new Error(`bench: ${counted()} applications counted, expected ${day.expected.applications}`);
    const peer = await consumeOnly(transport, [...new Set(day.records.map((r) => r.topic))], total);

    // freshness: one application at a time, from the append's acknowledgement to the API counting it
    const url = await http.listen({ host: '127.0.0.1', port: 0 });
    const apiCount = async () => {
      const snapshot = (await (await fetch(`${url}/api/kpi/v1/snapshot`)).json()) as {
        today: { counters: Record<string, number> };
      };
      return snapshot.today.counters.applications ?? 0;
    };
    await new Promise((r) => setTimeout(r, 1_000)); // past the catch-up: the stage idles, as it would live
    const r = kpiRecords(config);
    const latencies: number[] = [];
    let expected = await apiCount();
    for (let i = 0; i < PROBES; i += 1) {
      await producer.send([r.application(kpiEvents.application(10_000_000 + i, Date.now()))]);
      const appended = process.hrtime.bigint();
      expected += 1;
      await until(async () => (await apiCount()) >= expected, 30_000, 'the probe counted by the API');
      latencies.push(secondsSince(appended) * 1000);
      await new Promise((resolve) => setTimeout(resolve, 20 + Math.random() * 30)); // probes at random phases
    }
    await producer.disconnect();
    latencies.sort((a, b) => a - b);
    const p = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] as number;
    const setup = `${config.topics.partitions} partitions per topic, flush every ${config.kpi.flushIntervalMs} ms, changelogs on, Kafka ${kafka.version}; 1-min load average ${loadBefore} before, ${load()} after (${cpus().length} cores, shared)`;
    return [
      atLeast(
        'kpi.throughput',
        throughput,
        'records/s',
        50_000,
        `${total.toLocaleString('en-US')} Avro records of 7 topics (${CLIENTS.toLocaleString('en-US')} clients' working day) aggregated per minute, hour and day and flushed to the changelogs; CPU ${cpuUs.toFixed(1)} µs per record (this process); the same backlog read by a stage that only acks: ${Math.round(peer.rate).toLocaleString('en-US')} records/s, CPU ${peer.cpuUs.toFixed(1)} µs per record, ratio ${(throughput / peer.rate).toFixed(2)}; ${setup}`,
      ),
      atMost(
        'kpi.freshness.p99',
        p(0.99),
        'ms',
        1_000,
        `${PROBES} applications appended one at a time (acks=all) to the KPI API (HTTP) counting each; p50 ${p(0.5).toFixed(0)} ms, p90 ${p(0.9).toFixed(0)} ms, max ${(latencies.at(-1) ?? 0).toFixed(0)} ms; API polled every 5 ms; ${setup}`,
      ),
    ];
  } finally {
    await http.close();
    await kpi.stop();
    await transport.close();
    await kafka.stop();
  }
}
