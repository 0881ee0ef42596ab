import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Candidate, DialTask, Rejection } from '@tm/contracts';
import { createServiceClients } from '@tm/filters';
import { MemoryBroker, memoryTransport, type Serde, StageMetrics } from '@tm/pipeline-core';
import { committedTotal, eventually } from '@tm/pipeline-core/testing';
import { createAnalyserStage } from '../analyser/analyser-stage.js';
import { taskCountsByState } from '../campaign/db/summary.js';
import { createCampaignEngine } from '../campaign/engine/engine.js';
import { startEmbeddedPostgres } from '../embedded/pglite.js';
import { createIntake } from '../intake/intake.js';
import { createLogger } from '../runtime/logger.js';
import { contractSerdes } from '../runtime/serdes.js';
import { ensurePipelineTopics } from '../runtime/topics.js';
import { startSimulators } from '../simulators/start-simulators.js';
import { DEMO_OVERRIDES, demoConfig } from './demo-config.js';
import { writeDemoFiles } from './demo-files.js';
import type { DemoProgress } from './demo-progress.js';

export interface DemoOptions {
  /** Rows in all sample files (default 10,000). */
  rows: number;
  seed?: number;
  /** Keep the working directory (sample files, success/ and error/ folders) instead of removing it. */
  keepDir?: boolean;
  progress?: DemoProgress;
}

/** One campaign's figures. */
export interface DemoCampaignSummary {
  candidates: number;
  rejections: Record<string, number>;
}

/** What `pnpm demo` reports; `--json` prints exactly this object. */
export interface DemoSummary {
  filesAccepted: number;
  filesRejected: number;
  rowsRead: number;
  rowsPublished: number;
  candidates: number;
  /** Rejections by filter name, all campaigns together. */
  rejections: Record<string, number>;
  /** Candidates and rejections by filter, per campaign id. */
  campaigns: Record<string, DemoCampaignSummary>;
  /** Campaign tasks by state. */
  tasks: Record<string, number>;
  /** ADD dial tasks published to the dialer's topic. */
  dialTasks: number;
  /** DELETE dial tasks (a client's in-progress task replaced by a newer candidate). */
  dialTaskDeletes: number;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Where the sample files and their success/ and error/ folders are (removed unless kept). */
  directory: string;
  overrides: readonly string[];
}

function decodeAll<T>(broker: MemoryBroker, topic: string, serde: Serde<T>): T[] {
  return broker.records(topic).map((r) => serde.decode(r.value ?? Buffer.alloc(0)) as T);
}

/**
 * The whole data path on the embedded default, in this process: sample CSV files for both streams (one bad file per
 * stream), intake → analyser (simulators in-process) → campaign engine on the memory transport and PGlite, then
 * a dispatch of every due task to the dialer's topic. Resolves with the summary.
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const directory = mkdtempSync(join(tmpdir(), 'tm-demo-'));
  const progress = options.progress;
  const logger = createLogger('demo', { level: process.env.LOG_LEVEL ?? 'error' });
  const config = demoConfig(directory);
  const closers: (() => Promise<void>)[] = [];
  try {
    progress?.phase('writing sample files');
    await writeDemoFiles(config.events.dataStreams, options.rows, options.seed ?? 1);

    progress?.phase('starting PGlite, the simulators and the stages');
    const broker = new MemoryBroker();
    const transport = memoryTransport(broker);
    await ensurePipelineTopics(transport, config);
    const metrics = new StageMetrics();

    const simulators = await startSimulators(config.simulators);
    closers.push(() => simulators.close());
    config.services.blacklist.url = simulators.urls.blacklist;
    config.services.casper.url = simulators.urls.casper;
    config.services.abram.url = simulators.urls.abram;
    const services = createServiceClients(config.services);
    closers.push(() => services.close());

    const database = await startEmbeddedPostgres();
    closers.push(() => database.close());
    const engine = createCampaignEngine({
      config,
      transport,
      db: database.knex,
      logger,
      metrics,
      schedules: false,
    });
    await engine.start();
    closers.push(() => engine.stop());

    const analyser = createAnalyserStage({ config, transport, services, logger, metrics });
    await analyser.stage.start();
    closers.push(async () => {
      await analyser.stage.stop();
      await analyser.close();
    });

    const intake = createIntake({ config, transport, logger, metrics });
    closers.push(() => intake.stop());
    progress?.phase('importing files');
    const outcomes = await intake.importPending();
    const rowsRead = outcomes.reduce((n, o) => n + o.rows, 0);
    const rowsPublished = outcomes.reduce((n, o) => n + o.published, 0);
    const accepted = outcomes.filter((o) => o.outcome === 'accepted').length;
    progress?.phase(
      `analysing ${rowsPublished.toLocaleString('en-US')} applications, storing candidates as tasks`,
    );

    const inputTopics = analyser.inputTopics;
    const analysed = async () => {
      let n = 0;
      for (const topic of inputTopics) n += await committedTotal(transport, analyser.stage.groupId, topic);
      return n;
    };
    const candidateCount = () => broker.records(config.topics.candidates).length;
    const storedTasks = async () =>
      Object.values(await taskCountsByState(database.knex)).reduce((a, b) => a + b, 0);
    await eventually(
      async () => {
        const [a, t] = [await analysed(), await storedTasks()];
        progress?.counts({ published: rowsPublished, analysed: a, candidates: candidateCount(), tasks: t });
        return a === rowsPublished && t === candidateCount();
      },
      'every application analysed and every candidate stored',
      30 * 60_000,
    );

    progress?.phase('dispatching due tasks to the dialer');
    while ((await engine.dispatchNow()) > 0) {
      // each round claims at most a batch; go on until nothing is due
    }

    const serdes = contractSerdes();
    const candidates = decodeAll<Candidate>(broker, config.topics.candidates, serdes.candidate);
    const rejections = decodeAll<Rejection>(broker, config.topics.rejections, serdes.rejection);
    const dialTasks = decodeAll<DialTask>(broker, config.topics.dialTasks, serdes.dialTask);
    const campaigns: Record<string, DemoCampaignSummary> = {};
    const byFilter: Record<string, number> = {};
    for (const c of config.eventsAnalyser.campaigns)
      campaigns[String(c.campaignId)] = { candidates: 0, rejections: {} };
    for (const c of candidates) (campaigns[String(c.campaignId)] as DemoCampaignSummary).candidates += 1;
    for (const r of rejections) {
      const campaign = campaigns[String(r.campaignId)] as DemoCampaignSummary;
      campaign.rejections[r.filter] = (campaign.rejections[r.filter] ?? 0) + 1;
      byFilter[r.filter] = (byFilter[r.filter] ?? 0) + 1;
    }
    const elapsedMs = performance.now() - started;
    return {
      filesAccepted: accepted,
      filesRejected: outcomes.length - accepted,
      rowsRead,
      rowsPublished,
      candidates: candidates.length,
      rejections: byFilter,
      campaigns,
      tasks: await taskCountsByState(database.knex),
      dialTasks: dialTasks.filter((d) => d.action === 'ADD').length,
      dialTaskDeletes: dialTasks.filter((d) => d.action === 'DELETE').length,
      elapsedMs: Math.round(elapsedMs),
      rowsPerSecond: Math.round(rowsRead / (elapsedMs / 1000)),
      directory: options.keepDir ? directory : `${directory} (removed)`,
      overrides: DEMO_OVERRIDES,
    };
  } finally {
    progress?.phase('stopping');
    for (const close of closers.reverse()) await close().catch(() => {});
    progress?.stop();
    if (!options.keepDir) rmSync(directory, { recursive: true, force: true });
  }
}
