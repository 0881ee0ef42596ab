import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CallEvent, Candidate, CommunicationResult, DialTask, Rejection } from '@tm/contracts';
import { createServiceClients } from '@tm/filters';
import { MemoryBroker, memoryTransport, type Serde, StageMetrics, type Transport } from '@tm/pipeline-core';
import { committedTotal, eventually } from '@tm/pipeline-core/testing';
import { createAnalyserStage } from '../analyser/analyser-stage.js';
import { taskCountsByState } from '../campaign/db/summary.js';
import { createCampaignEngine } from '../campaign/engine/engine.js';
import { startEmbeddedPostgres } from '../embedded/pglite.js';
import { createIntake } from '../intake/intake.js';
import { kpiDecoders } from '../kpi/kpi-input.js';
import type { KpiTotals } from '../kpi/kpi-schemas.js';
import { createLogger } from '../runtime/logger.js';
import { contractSerdes } from '../runtime/serdes.js';
import { ensurePipelineTopics } from '../runtime/topics.js';
import {
  type OperatorBotStats,
  OperatorBots,
  weightedResults,
} from '../simulated-operators/operator-bots.js';
import { startSimulators } from '../simulators/start-simulators.js';
import { DEMO_TELEPHONY_API_KEY, DEMO_TELEPHONY_OPERATOR_SECRET } from '../simulators/telephony-model.js';
import { HttpTelephony } from '../telephony/http-telephony.js';
import { type DemoPace, demoConfig, demoOverrides } from './demo-config.js';
import { writeDemoFiles } from './demo-files.js';
import type { DemoProgress } from './demo-progress.js';
import { startDemoOperatorSide } from './demo-services.js';
import {
  answeredCallIds,
  callsOf,
  type DemoCalls,
  type DemoRecalls,
  type DemoResults,
  recallsOf,
  resultsOf,
} from './loop-figures.js';

/** Where a person finds the running demo (`--serve`). */
export interface DemoServing {
  /** The operator page. */
  operatorPage: string;
  /** The KPI dashboard. */
  dashboard: string;
  /** The demo operator's login and password. */
  login: string;
  password: string;
}

export interface DemoOptions {
  /** Rows in all sample files (`tm demo` defaults to 1,000). */
  rows: number;
  seed?: number;
  /** Keep the working directory (sample files, success/ and error/ folders) instead of removing it. */
  keepDir?: boolean;
  progress?: DemoProgress;
  /** Share of answered calls the simulated operators leave unsaved, for the server's DRAFT (default 0.1). */
  unsavedShare?: number;
  /** Simulated operators taking the calls (default 6; 3 with `serve`). */
  operators?: number;
  /** How long the call loop may go without progress (tasks closed, calls, saves) before the summary is taken anyway (default 60 s). */
  stallMs?: number;
  /**
   * `--serve`: calls at a person's pace; `onReady` gets the page's and the dashboard's URLs as soon as they answer,
   * and everything keeps running until `signal` aborts; then the summary is taken.
   */
  serve?: { signal: AbortSignal; onReady: (serving: DemoServing) => void };
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
  /** Campaign tasks by state at the end. */
  tasks: Record<string, number>;
  /** ADD dial tasks published to the dialer's topic (first attempts and re-calls). */
  dialTasks: number;
  /** DELETE dial tasks (a client's in-progress task replaced by a newer candidate). */
  dialTaskDeletes: number;
  /** The calls the telephony simulator made for the dialer. */
  calls: DemoCalls;
  /** Results saved through the ARM, the server's drafts and the reworked ones. */
  results: DemoResults;
  recalls: DemoRecalls;
  /** The simulated operators. */
  operators: {
    simulated: number;
    answeredCards: number;
    leftUnsaved: number;
    refused: Record<string, number>;
  };
  /** The KPI stage's figures for today (its counters and rates), read from its view at the end. */
  kpi: KpiTotals;
  /** True when every task was closed and every answered call saved (false: the loop stopped making progress). */
  settled: boolean;
  elapsedMs: number;
  rowsPerSecond: number;
  /** Where the sample files and their success/ and error/ folders are (removed unless kept). */
  directory: string;
  overrides: readonly string[];
}

function decodeAll<T>(broker: MemoryBroker, topic: string, serde: Serde<T>): T[] {
  return broker.records(topic).map((r) => serde.decode(r.value ?? Buffer.alloc(0)) as T);
}

/** How many of `topic`'s records the consumer groups have committed, at most (the memory transport). */
async function consumed(transport: Transport, groups: readonly string[], topic: string): Promise<number> {
  let most = 0;
  for (const g of groups) most = Math.max(most, await committedTotal(transport, g, topic));
  return most;
}

/**
 * The whole loop on the embedded default, in this process: sample CSV files for both streams (one bad file per
 * stream), intake → analyser (simulators in-process) → campaign engine on the memory transport and PGlite → dialer →
 * telephony simulator → simulated operators taking the calls through the ARM's HTTP API (security service in-process,
 * an in-process store for Redis) → results back to the engine, which re-calls or closes the tasks; the KPI stage
 * reads it all. Resolves with the summary once the calls settled (or `--serve` was stopped).
 */
export async function runDemo(options: DemoOptions): Promise<DemoSummary> {
  const started = performance.now();
  const directory = mkdtempSync(join(tmpdir(), 'tm-demo-'));
  const progress = options.progress;
  const pace: DemoPace = options.serve ? 'serve' : 'batch';
  const logger = createLogger('demo', { level: process.env.LOG_LEVEL ?? 'error' });
  const config = demoConfig(directory, undefined, pace);
  const closers: (() => Promise<void>)[] = [];
  try {
    progress?.phase('writing sample files');
    await writeDemoFiles(config.events.dataStreams, options.rows, options.seed ?? 1);

    progress?.phase('starting PGlite, the simulators and the campaign engine');
    const broker = new MemoryBroker();
    const transport = memoryTransport(broker);
    await ensurePipelineTopics(transport, config);
    const metrics = new StageMetrics();

    const secrets = { apiKey: DEMO_TELEPHONY_API_KEY, operatorSecret: DEMO_TELEPHONY_OPERATOR_SECRET };
    const simulators = await startSimulators(config.simulators, { telephonySecrets: secrets });
    closers.push(() => simulators.close());
    config.services.blacklist.url = simulators.urls.blacklist;
    config.services.casper.url = simulators.urls.casper;
    config.services.abram.url = simulators.urls.abram;
    const services = createServiceClients(config.services);
    closers.push(() => services.close());
    const telephony = new HttpTelephony({
      url: simulators.urls.telephony,
      apiKey: secrets.apiKey,
      timeoutMs: config.dialer.telephonyTimeoutMs,
    });
    closers.push(() => telephony.close());

    const database = await startEmbeddedPostgres();
    closers.push(() => database.close());
    const db = database.knex;
    const engine = createCampaignEngine({ config, transport, db, logger, metrics });
    await engine.start();
    closers.push(() => engine.stop());

    progress?.phase('starting the security service, the ARM, the dialer and the KPI stage');
    const side = await startDemoOperatorSide({
      config,
      transport,
      db,
      telephony,
      operatorSecret: secrets.operatorSecret,
      logger,
      metrics,
      operators: options.operators ?? (options.serve ? 3 : 6),
      kpiHttp: options.serve !== undefined,
    });
    closers.push(() => side.close());

    const bots = new OperatorBots({
      armUrl: side.armUrl,
      operators: side.simulated,
      seed: options.seed ?? 1,
      results: weightedResults(config.arm.dictionaries.results.map((r) => r.key)),
      thinkMs: pace === 'batch' ? { min: 20, max: 300 } : { min: 3000, max: 15000 },
      silentShare: options.unsavedShare ?? 0.1,
      pollIntervalMs: config.arm.pollIntervalMs,
    });
    bots.start();
    let botsStopped = false;
    closers.push(async () => {
      if (!botsStopped) await bots.stop().catch(() => {});
    });
    if (options.serve) {
      options.serve.onReady({
        operatorPage: `${side.armUrl}/`,
        dashboard: `${side.kpiUrl}/dashboard/`,
        login: side.demoOperator.login,
        password: side.demoOperator.password,
      });
    }

    progress?.phase('starting the analyser');
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
      `analysing ${rowsPublished.toLocaleString('en-US')} applications, storing candidates as tasks, calling`,
    );

    const analysed = async () => {
      let n = 0;
      for (const topic of analyser.inputTopics)
        n += await committedTotal(transport, analyser.stage.groupId, topic);
      return n;
    };
    const candidateCount = () => broker.records(config.topics.candidates).length;
    const tasksByState = () => taskCountsByState(db);
    const total = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
    await eventually(
      async () => {
        const [a, t] = [await analysed(), total(await tasksByState())];
        progress?.counts({ published: rowsPublished, analysed: a, candidates: candidateCount(), tasks: t });
        return a === rowsPublished && t === candidateCount();
      },
      'every application analysed and every candidate stored',
      30 * 60_000,
    );

    const engineGroups = engine.stages.map((s) => s.groupId);
    const loopTopics = [config.topics.callEvents, config.topics.communicationResults];
    let lastProgress = '';
    let lastProgressAt = Date.now();
    /** Every task closed, nothing ringing or waiting for a save, and the engine has applied every event. */
    const settledNow = async (): Promise<boolean> => {
      const tasks = await tasksByState();
      const callsOut = simulators.telephony.model.stats();
      const { rows } = await db.raw<{ rows: { n: number }[] }>(
        `SELECT count(*)::int AS n FROM TM$RESULT_WINDOWS WHERE CLOSED_AT IS NULL`,
      );
      const { rows: drafts } = await db.raw<{ rows: { n: number }[] }>(
        `SELECT count(*)::int AS n FROM TM$COMMUNICATIONS WHERE STATE = 'DRAFT'`,
      );
      const figures = {
        tasks: total(tasks),
        closed: tasks.DONE + tasks.CANCELED,
        calls: callsOut.callsMade,
        results: total(bots.stats().saved),
      };
      progress?.calls(figures);
      if (JSON.stringify(figures) !== lastProgress) {
        lastProgress = JSON.stringify(figures);
        lastProgressAt = Date.now();
      }
      if (tasks.NEW + tasks.IN_PROGRESS > 0 || callsOut.queued + callsOut.callsInProgress > 0) return false;
      if ((rows[0]?.n ?? 0) > 0 || (drafts[0]?.n ?? 0) > 0 || !bots.idle()) return false;
      for (const topic of loopTopics)
        if ((await consumed(transport, engineGroups, topic)) < broker.records(topic).length) return false;
      return true;
    };

    let settled = false;
    if (options.serve) {
      const { signal } = options.serve;
      await new Promise<void>((resolve) => {
        if (signal.aborted) resolve();
        else signal.addEventListener('abort', () => resolve(), { once: true });
      });
    } else {
      const stallMs = options.stallMs ?? 60_000;
      let quiet = 0;
      while (quiet < 2 && Date.now() - lastProgressAt < stallMs) {
        quiet = (await settledNow()) ? quiet + 1 : 0;
        await sleep(250);
      }
      settled = quiet >= 2;
      if (!settled)
        progress?.phase(`no progress for ${stallMs / 1000} s; the summary shows where the calls stand`);
    }

    progress?.phase('logging the simulated operators out');
    botsStopped = true;
    await bots.stop();
    const botStats: OperatorBotStats = bots.stats();
    const kpiTopics = [...kpiDecoders(config).keys()];
    await eventually(
      async () => {
        for (const topic of kpiTopics)
          if (
            (await committedTotal(transport, config.kpi.applicationId, topic)) < broker.records(topic).length
          )
            return false;
        return true;
      },
      'the KPI stage read every topic',
      30_000,
    ).catch(() => progress?.phase('the KPI stage is behind; its figures are not final'));

    const serdes = contractSerdes();
    const candidates = decodeAll<Candidate>(broker, config.topics.candidates, serdes.candidate);
    const rejections = decodeAll<Rejection>(broker, config.topics.rejections, serdes.rejection);
    const dialTasks = decodeAll<DialTask>(broker, config.topics.dialTasks, serdes.dialTask);
    const callEvents = decodeAll<CallEvent>(broker, config.topics.callEvents, serdes.callEvent);
    const saves = decodeAll<CommunicationResult>(
      broker,
      config.topics.communicationResults,
      serdes.communicationResult,
    );
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
      tasks: await tasksByState(),
      dialTasks: dialTasks.filter((d) => d.action === 'ADD').length,
      dialTaskDeletes: dialTasks.filter((d) => d.action === 'DELETE').length,
      calls: callsOf(callEvents),
      results: await resultsOf(db, saves, answeredCallIds(callEvents)),
      recalls: await recallsOf(dialTasks, metrics),
      operators: {
        simulated: side.simulated.length,
        answeredCards: botStats.answeredCards,
        leftUnsaved: botStats.leftUnsaved,
        refused: botStats.refused,
      },
      kpi: side.kpi.view.totals('day', Date.now()),
      settled,
      elapsedMs: Math.round(elapsedMs),
      rowsPerSecond: Math.round(rowsRead / (elapsedMs / 1000)),
      directory: options.keepDir ? directory : `${directory} (removed)`,
      overrides: demoOverrides(pace),
    };
  } finally {
    progress?.phase('stopping');
    for (const close of closers.reverse()) await close().catch(() => {});
    progress?.stop();
    if (!options.keepDir) rmSync(directory, { recursive: true, force: true });
  }
}
