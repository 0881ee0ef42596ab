/**
 * A whole analyser run on the real broker with the simulators in process, for the integration tests: generated
 * applications published to a fresh incoming topic, the analyser started under a fresh consumer group, and every
 * output read back and compared with {@link expectedDecisions}.
 */
import { join } from 'node:path';
import {
  type Application,
  loadPipelineConfig,
  type PipelineConfig,
  SimulatorsSchema,
  validateRow,
} from '@tm/contracts';
import { testServices, uniqueName } from '@tm/infra';
import { kafkaTransport, type RawRecord, type Serde, StageMetrics } from '@tm/pipeline-core';
import { committedTotal, eventually, readTopic } from '@tm/pipeline-core/testing';
import { expect } from 'chai';
import { pino } from 'pino';
import { generateCsvRows } from '../intake/generator/index.js';
import { type ContractSerdes, contractSerdes } from '../runtime/serdes.js';
import { ensurePipelineTopics } from '../runtime/topics.js';
import type { BlacklistEntry } from '../simulators/blacklist-file.js';
import { type RunningSimulators, startSimulators } from '../simulators/start-simulators.js';
import { type AnalyserStage, createAnalyserStage } from './analyser-stage.js';
import {
  type ExpectedAsks,
  type ExpectedDecision,
  expectedDecisions,
  type SimulatorRules,
} from './expected-decisions.test-support.js';

const repoRoot = join(import.meta.dirname, '..', '..', '..', '..');

/**
 * `rows` applications generated from `seed` by the intake's generator and read through the CSV contract, as intake
 * would publish them: even rows from MOBILE_LOANS, odd rows from POS_REJECT.
 */
export function generatedApplications(rows: number, seed: number): Application[] {
  const apps: Application[] = [];
  const receivedAt = Date.parse('2024-07-01T00:00:00Z');
  for (const cells of generateCsvRows({ rows, seed })) {
    const dataStream = apps.length % 2 === 0 ? 'MOBILE_LOANS' : 'POS_REJECT';
    const row = validateRow(cells, {
      dataStream,
      sourceFile: `${dataStream.toLowerCase()}_${seed}.csv`,
      lineNumber: Math.floor(apps.length / 2) + 1,
      receivedAt,
    });
    if (!row.ok)
      throw new Error(`generated row ${apps.length} fails the contract: ${JSON.stringify(row.errors)}`);
    apps.push(row.application);
  }
  return apps;
}

/** A blacklist hitting some of `apps`: every 53rd application's phone and every 71st one's device id. */
export function blacklistOf(apps: readonly Application[]): BlacklistEntry[] {
  return apps.flatMap((app, i): BlacklistEntry[] => [
    ...(i % 53 === 7 ? [{ id: `bl-phone-${i}`, phone: app.phone, deviceId: null, reason: 'fraud' }] : []),
    ...(i % 71 === 5 && app.deviceId
      ? [{ id: `bl-device-${i}`, phone: null, deviceId: app.deviceId, reason: 'device used in fraud' }]
      : []),
  ]);
}

/** One run: the config (fresh topic and group names), the simulators, the applications and what must come out. */
export class KafkaAnalyserRun {
  readonly metrics = new StageMetrics();
  /** The run's serdes: Confluent framing when the run has a Schema Registry, single-object otherwise. */
  readonly serdes: ContractSerdes;
  readonly expected: Map<string, ExpectedDecision>;
  readonly asks: ExpectedAsks[];
  analyser: AnalyserStage | undefined;

  private constructor(
    readonly config: PipelineConfig,
    readonly transport: ReturnType<typeof kafkaTransport>,
    readonly sims: RunningSimulators,
    readonly apps: readonly Application[],
    readonly group: string,
    rules: SimulatorRules,
  ) {
    this.serdes = contractSerdes(config);
    this.expected = new Map();
    this.asks = [];
    for (const app of apps) {
      const { decisions, asks } = expectedDecisions(app, config.eventsAnalyser.campaigns, rules);
      this.asks.push(asks);
      for (const d of decisions) this.expected.set(`${app.applicationNumber}:${d.campaignId}`, d);
    }
  }

  /**
   * Starts the simulators and creates fresh topics for `apps` under config/pipeline.yaml's campaigns.
   *
   * @param options.schemaRegistryUrl A Schema Registry for the run (`infra.schema-registry.url`); none by default.
   */
  static async prepare(
    apps: readonly Application[],
    retry: PipelineConfig['eventsAnalyser']['retry'],
    options: { schemaRegistryUrl?: string } = {},
  ): Promise<KafkaAnalyserRun> {
    const blacklist = blacklistOf(apps);
    const simulators = SimulatorsSchema.parse({
      seed: 'analyser-int',
      blacklist: { port: 0, latency: { 'fixed-ms': 1, 'jitter-ms': 2 } },
      casper: { port: 0, latency: { 'fixed-ms': 1, 'jitter-ms': 2 } },
      abram: { port: 0, latency: { 'fixed-ms': 1, 'jitter-ms': 2 } },
      telephony: { port: 0 },
    });
    const sims = await startSimulators(simulators, { blacklist });
    const base = loadPipelineConfig(join(repoRoot, 'config', 'pipeline.yaml'), {});
    const incoming = uniqueName('analyser-incoming');
    const config: PipelineConfig = {
      ...base,
      events: {
        ...base.events,
        dataStreams: base.events.dataStreams.map((s) => ({ ...s, topic: incoming })),
      },
      eventsAnalyser: { ...base.eventsAnalyser, retry },
      topics: {
        ...base.topics,
        incomingEvents: incoming,
        candidates: uniqueName('analyser-candidates'),
        rejections: uniqueName('analyser-rejections'),
        partitions: 3,
      },
      // The simulators share this process's event loop with the stage under test: a generous per-attempt timeout
      // keeps a busy moment from counting as a fault (and as a second request) in the tests that want none.
      services: {
        blacklist: { ...base.services.blacklist, url: sims.urls.blacklist, timeoutMs: 20_000 },
        casper: { ...base.services.casper, url: sims.urls.casper, timeoutMs: 20_000 },
        abram: { ...base.services.abram, url: sims.urls.abram, timeoutMs: 20_000 },
      },
      infra: {
        ...base.infra,
        transport: 'kafka',
        kafka: { ...base.infra.kafka, brokers: testServices().kafkaBrokers },
        schemaRegistryUrl: options.schemaRegistryUrl,
      },
    };
    const transport = kafkaTransport({ brokers: config.infra.kafka.brokers, clientId: 'analyser-int' });
    await ensurePipelineTopics(transport, config);
    const rules: SimulatorRules = {
      ...simulators.abram,
      ...simulators.casper,
      seed: simulators.seed,
      blacklist,
    };
    return new KafkaAnalyserRun(config, transport, sims, apps, uniqueName('analyser'), rules);
  }

  /**
   * Publishes the applications `from`..`to` (all by default), keyed by application number (as intake does), encoded
   * with `serde` (default: the run's).
   */
  async publish(
    from = 0,
    to = this.apps.length,
    serde: Serde<Application> = this.serdes.application,
  ): Promise<void> {
    await serde.ready?.();
    const producer = this.transport.createProducer();
    await producer.connect();
    for (let i = from; i < to; i += 1000) {
      await producer.send(
        this.apps.slice(i, Math.min(i + 1000, to)).map((app) => ({
          topic: this.config.topics.incomingEvents,
          key: app.applicationNumber,
          value: serde.encode(app),
        })),
      );
    }
    await producer.disconnect();
  }

  async start(): Promise<void> {
    this.analyser = createAnalyserStage({
      config: this.config,
      transport: this.transport,
      name: this.group,
      metrics: this.metrics,
      logger: pino({ level: process.env.LOG_LEVEL ?? 'warn' }),
    });
    for (const runnable of this.analyser.runnables) await runnable.start();
  }

  /** Applications whose offsets the analyser committed (with their decisions, in its transactions). */
  committed(): Promise<number> {
    return committedTotal(this.transport, this.group, this.config.topics.incomingEvents);
  }

  async waitUntilAllCommitted(timeoutMs: number): Promise<void> {
    await eventually(
      async () => (await this.committed()) === this.apps.length,
      'every offset committed',
      timeoutMs,
    );
  }

  /** Reads the decisions and dead letters back, waiting for the expected number and a little longer for extras. */
  async outputs(): Promise<{ candidates: RawRecord[]; rejections: RawRecord[]; deadLetters: number }> {
    let candidates = 0;
    for (const d of this.expected.values()) if (d.kind === 'candidate') candidates += 1;
    const read = (topic: string, count: number) =>
      count === 0
        ? Promise.resolve([])
        : readTopic(this.transport, topic, count, { settleMs: 1500, timeoutMs: 60_000 });
    const [c, r] = await Promise.all([
      read(this.config.topics.candidates, candidates),
      read(this.config.topics.rejections, this.expected.size - candidates),
    ]);
    return { candidates: c, rejections: r, deadLetters: await this.deadLetterCount() };
  }

  /** Records on the dead-letter topic (read_committed), counted without waiting for any. */
  async deadLetterCount(): Promise<number> {
    const dlq = `${this.config.topics.incomingEvents}${this.config.topics.dlqSuffix}`;
    const admin = this.transport.kafka.admin();
    await admin.connect();
    try {
      // The high watermark counts transaction markers too: read what is there to count real records.
      const high = (await admin.fetchTopicOffsets(dlq)).reduce((sum, p) => sum + Number(p.high), 0);
      if (high === 0) return 0;
      return (await readTopic(this.transport, dlq, 1, { settleMs: 1500 })).length;
    } finally {
      await admin.disconnect();
    }
  }

  async close(): Promise<void> {
    for (const runnable of this.analyser?.runnables ?? []) await runnable.stop({ timeoutMs: 5000 });
    await this.analyser?.close();
    await this.sims.close();
    await this.transport.close();
  }
}

/** What came out, compared with what must: per application and campaign, and counted per campaign and filter. */
export interface RunReport {
  /** `campaign/filter` (or `campaign/candidate`) → count, as published. */
  readonly actualCounts: Record<string, number>;
  readonly expectedCounts: Record<string, number>;
  /** (application, campaign) pairs decided more than once. */
  readonly duplicates: string[];
  /** Pairs with no decision. */
  readonly missing: string[];
  /** Pairs decided otherwise than expected, `key: expected != actual`. */
  readonly wrong: string[];
  /** Candidates whose Casper profile or products disagree with the simulators' rules. */
  readonly badEnrichment: string[];
}

/** Compares the run's outputs with the expected decisions. */
export async function compareOutputs(
  run: KafkaAnalyserRun,
  outputs: { candidates: RawRecord[]; rejections: RawRecord[] },
): Promise<RunReport> {
  const seen = new Map<string, string>();
  const duplicates: string[] = [];
  const badEnrichment: string[] = [];
  const note = (key: string, decision: string) => {
    if (seen.has(key)) duplicates.push(key);
    seen.set(key, decision);
  };
  for (const r of outputs.candidates) {
    const c = await run.serdes.candidate.decode(r.value as Buffer);
    const key = `${c.application.applicationNumber}:${c.campaignId}`;
    note(key, 'candidate');
    const expected = run.expected.get(key);
    if (r.key?.toString() !== c.phone || c.candidateId !== key) badEnrichment.push(`${key}: key or id`);
    if (expected?.kind === 'candidate') {
      if ((c.casperProfile !== null) !== expected.casperKnown) badEnrichment.push(`${key}: casper profile`);
      if (c.products.length !== expected.products) badEnrichment.push(`${key}: products`);
    }
  }
  for (const r of outputs.rejections) {
    const rejection = await run.serdes.rejection.decode(r.value as Buffer);
    note(`${rejection.applicationNumber}:${rejection.campaignId}`, rejection.filter);
  }
  const label = (d: ExpectedDecision) => (d.kind === 'candidate' ? 'candidate' : d.filter);
  const count = (entries: Iterable<[string, string]>) => {
    const counts: Record<string, number> = {};
    for (const [key, decision] of entries) {
      const name = `${key.split(':')[1]}/${decision}`;
      counts[name] = (counts[name] ?? 0) + 1;
    }
    return counts;
  };
  const expectedEntries = [...run.expected].map(([key, d]): [string, string] => [key, label(d)]);
  const wrong = expectedEntries
    .filter(([key, decision]) => seen.has(key) && seen.get(key) !== decision)
    .map(([key, decision]) => `${key}: ${decision} != ${seen.get(key)}`);
  return {
    actualCounts: count(seen),
    expectedCounts: count(expectedEntries),
    duplicates,
    missing: expectedEntries.filter(([key]) => !seen.has(key)).map(([key]) => key),
    wrong,
    badEnrichment,
  };
}

/**
 * Reads the outputs back and asserts that every application ended exactly once per campaign, as expected: none
 * missing, none published twice, none decided otherwise, no dead letter, and equal counts per campaign and filter.
 */
export async function expectEveryApplicationDecidedOnce(
  run: KafkaAnalyserRun,
): Promise<{ outputs: Awaited<ReturnType<KafkaAnalyserRun['outputs']>>; report: RunReport }> {
  const outputs = await run.outputs();
  const report = await compareOutputs(run, outputs);
  expect(report.missing, 'missing decisions').to.deep.equal([]);
  expect(report.duplicates, 'decisions published twice').to.deep.equal([]);
  expect(report.wrong.slice(0, 10), 'decisions other than expected').to.deep.equal([]);
  expect(outputs.deadLetters, 'dead letters').to.equal(0);
  expect(report.actualCounts, 'decisions per campaign and filter').to.deep.equal(report.expectedCounts);
  return { outputs, report };
}
