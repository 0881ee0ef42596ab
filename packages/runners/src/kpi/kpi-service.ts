import type { PipelineConfig } from '@tm/contracts';
import {
  bufferSerde,
  combineWindows,
  createStage,
  filterRecords,
  type Logger,
  mapValue,
  type Runnable,
  type Stage,
  type StageHealth,
  StageMetrics,
  StateStores,
  TimeWindows,
  type Transport,
  windowAggregate,
} from '@tm/pipeline-core';
import { ignoreElements, tap } from 'rxjs';
import { createLogger } from '../runtime/logger.js';
import { stageSettingsOf } from '../runtime/stage-settings.js';
import { deadLetterTopicOf, pipelineTopics } from '../runtime/topics.js';
import { KpiFacts, type KpiGauges, type TableEntry } from './kpi-facts.js';
import { decodeByTopic, eventTimeOf, factsOf, kpiDecoders } from './kpi-input.js';
import { addCounters, type Counters, type KpiFact } from './kpi-keys.js';
import { KpiMetrics } from './kpi-metrics.js';
import type { WindowSize } from './kpi-schemas.js';
import { KpiView } from './kpi-view.js';

/** What {@link createKpiService} needs. */
export interface KpiServiceOptions {
  /** The pipeline config: `kpi` and `topics` (and the data streams' topics). */
  config: PipelineConfig;
  /** Kafka or the memory transport; the caller closes it. */
  transport: Transport;
  logger?: Logger;
  /** The stage's metrics registry; the KPI gauges are registered in the same one. */
  metrics?: StageMetrics;
  /** Wall clock, epoch ms (default Date.now): drafts' age, the view's freshness, clamping future event times. */
  clock?: () => number;
  /**
   * `changelog` (default): state in `<kpi.application-id>-*-changelog` topics, so a restart resumes exactly (ADR
   * 0111). `memory`: state lost with the process (the embedded demo).
   */
  state?: 'changelog' | 'memory';
}

/** The live KPI stage (issue 14) wired to its transport. */
export interface KpiService {
  /** The read side: windows per size, campaign, stream and operator. */
  readonly view: KpiView;
  readonly config: PipelineConfig['kpi'];
  /** Creates the topics, restores the state (changelog) and builds the stage. Idempotent. */
  prepare(): Promise<void>;
  /** The stage as a runner runs it (after {@link prepare}): its health is unready while the state cannot be flushed. */
  runnable(): Runnable;
  /** {@link prepare}, then starts consuming. */
  start(): Promise<void>;
  /** Stops the stage gracefully (the last changes are flushed) and releases the state. */
  stop(): Promise<void>;
  /** Current state: tasks, drafts, operators. */
  gauges(): KpiGauges;
  /** The largest event time seen, or undefined before the first record. */
  streamTime(): number | undefined;
  /** Records dropped from a window that had closed, per window size. */
  lateRecords(): Readonly<Record<WindowSize, number>>;
}

const WINDOWS_STORE = 'windows';
const TABLES_STORE = 'tables';
/** An idle stage still flushes (a heartbeat in the state) this often, so a broker outage shows as unready. */
const HEARTBEAT_MS = 2_000;
/** Without a successful flush for this long (a failing or hanging broker), the stage reports itself unready. */
const STALE_MS = 10_000;
/** Event times further in the future than this are taken as now + this (a wrong clock must not close every window). */
const MAX_FUTURE_MS = 60_000;

/**
 * Builds the KPI stage: one consumer over every topic of the pipeline (incoming applications, candidates,
 * rejections, dial tasks, call events, communication results, operator sessions); each record updates the join
 * tables ({@link KpiFacts}) and is aggregated by pipeline-core's `windowAggregate` into per-minute, per-hour and
 * per-day windows per campaign and data stream (hours and days per operator), days starting at local midnight.
 * Windows and tables share one state, flushed every `kpi.flush-interval-ms` in one transaction with the input
 * positions, then published to the {@link KpiView}. Runs the same on Kafka (`tm run kpi`) and in one process on the
 * memory transport (the demo).
 *
 * ## Example
 * ```ts
 * const kpi = createKpiService({ config, transport });
 * await kpi.start();
 * kpi.view.totals('day', Date.now()); // today's counters and rates
 * await kpi.stop();
 * ```
 */
export function createKpiService(options: KpiServiceOptions): KpiService {
  const { config, transport } = options;
  const settings = config.kpi;
  const clock = options.clock ?? Date.now;
  const logger = options.logger ?? createLogger('kpi');
  const log = logger.child({ component: 'kpi' });
  const stageMetrics = options.metrics ?? new StageMetrics();
  const offsetMs = -settings.utcOffsetHours * TimeWindows.HOUR;
  const spec = (size: number, w: { graceMs: number; retentionMs: number }) =>
    TimeWindows.of(size, {
      offsetMs,
      graceMs: w.graceMs,
      retentionMs: Math.max(w.retentionMs, size + w.graceMs),
    });
  const specs: Record<WindowSize, TimeWindows> = {
    minute: spec(TimeWindows.MINUTE, settings.windows.minute),
    hour: spec(TimeWindows.HOUR, settings.windows.hour),
    day: spec(TimeWindows.DAY, settings.windows.day),
  };
  const campaignWindows = combineWindows(specs.minute, specs.hour, specs.day);
  const operatorWindows = combineWindows(specs.hour, specs.day);
  const view = new KpiView(specs);
  const late: Record<WindowSize, number> = { minute: 0, hour: 0, day: 0 };
  const sizeName = new Map<number, WindowSize>([
    [specs.minute.sizeMs, 'minute'],
    [specs.hour.sizeMs, 'hour'],
    [specs.day.sizeMs, 'day'],
  ]);
  const decoders = kpiDecoders(config);
  /** A wrong clock upstream must not close every window: event times are taken no further ahead than this. */
  const notAhead = (at: number) => Math.min(at, clock() + MAX_FUTURE_MS);
  const stores = {
    [WINDOWS_STORE]: { kind: 'windowed' as const, retentionMs: campaignWindows.retentionMs },
    [TABLES_STORE]: {},
  };

  let state: StateStores | undefined;
  let facts: KpiFacts | undefined;
  let stage: Stage<Buffer> | undefined;
  let prepared: Promise<void> | undefined;
  let timers: NodeJS.Timeout[] = [];
  let flushFailure: { at: number; error: string } | undefined;
  const metrics = new KpiMetrics(stageMetrics.registry, {
    view,
    gauges: () => facts?.gauges(),
    late: () => late,
    clock,
  });

  const build = (s: StateStores, f: KpiFacts): Stage<Buffer> =>
    createStage<Buffer>({
      name: settings.applicationId,
      transport,
      logger,
      metrics: stageMetrics,
      input: { topics: [...decoders.keys()], serde: bufferSerde() },
      maxInFlight: settings.maxInFlight,
      ...stageSettingsOf(config),
      process: (records) =>
        records.pipe(
          // Records the restored state already holds (flushed before a crash) change nothing, tables included.
          filterRecords((_, record) => !s.applied(record.origin)),
          decodeByTopic(decoders),
          mapValue((input) => ({ at: notAhead(eventTimeOf(input)), facts: factsOf(f, input) })),
          windowAggregate<{ at: number; facts: KpiFact[] }, Counters, Counters>({
            windows: (key) => (key.startsWith('o=') ? operatorWindows : campaignWindows),
            // A record's facts may include those of earlier events that waited for it, at their own times.
            contributionsOf: (r) =>
              r.value.facts.map((fact) => ({
                key: fact.key,
                value: fact.counters,
                timestamp: notAhead(fact.at),
              })),
            timestampOf: (r) => r.value.at,
            initial: () => ({}),
            aggregate: (counters, add) => addCounters(counters, add),
            state: s,
            store: WINDOWS_STORE,
            flushIntervalMs: settings.flushIntervalMs,
            onLate: (_, __, window) => {
              const size = sizeName.get(window.end - window.start);
              if (size) late[size] += 1;
            },
            onFlushError: (error) => {
              const message = error instanceof Error ? error.message : String(error);
              if (!flushFailure)
                log.warn({ error: message }, 'KPI state cannot be flushed; unready until it can');
              flushFailure = { at: flushFailure?.at ?? Date.now(), error: message };
              metrics.flushFailures.inc();
            },
          }),
          tap((changed) => view.apply(changed, clock())),
          ignoreElements(), // every record is acked by windowAggregate once its effects are durable
        ),
    });

  const prepare = (): Promise<void> => {
    prepared ??= (async () => {
      const consumed = new Set([...decoders.keys()].flatMap((t) => [t, deadLetterTopicOf(config)(t)]));
      await transport.ensureTopics(pipelineTopics(config).filter((t) => consumed.has(t.topic)));
      state =
        (options.state ?? 'changelog') === 'changelog'
          ? await StateStores.restore({
              transport,
              applicationId: settings.applicationId,
              stores,
              replicationFactor: config.topics.replicationFactor,
            })
          : StateStores.inMemory(stores);
      facts = new KpiFacts(state.store<TableEntry>(TABLES_STORE), {
        conversionResults: settings.conversionResults,
        resultLimitMs: settings.resultLimitSeconds * 1000,
        utcOffsetMs: settings.utcOffsetHours * TimeWindows.HOUR,
        ttlMs: settings.stateTtlMs,
        joinWaitMs: settings.joinWaitMs,
        clock,
      });
      stage = build(state, facts);
      const s = state;
      const f = facts;
      timers = [
        setInterval(() => {
          const now = s.streamTime(WINDOWS_STORE);
          if (now === undefined) return;
          const dropped = f.prune(now);
          if (dropped > 0) log.debug({ dropped }, 'KPI tables swept');
        }, settings.housekeepingIntervalMs),
        setInterval(() => {
          const now = Date.now(); // the state's flush times are wall-clock
          const last = s.lastFlushedAt ?? 0;
          if (flushFailure && last > flushFailure.at) {
            log.info({ downForMs: now - flushFailure.at }, 'KPI state flushed again; ready');
            flushFailure = undefined;
          }
          // Marks the state dirty when idle, so the next flush tries the broker (and a failure shows in /readyz).
          if (now - last >= HEARTBEAT_MS) s.advanceStreamTime('heartbeat', now);
        }, HEARTBEAT_MS / 2),
      ];
      for (const t of timers) t.unref();
      log.info(
        {
          applicationId: settings.applicationId,
          state: options.state ?? 'changelog',
          restoredWindows: s.store(WINDOWS_STORE).size,
          restoredTableEntries: s.store(TABLES_STORE).size,
          streamTime: s.streamTime(WINDOWS_STORE)
            ? new Date(s.streamTime(WINDOWS_STORE) as number).toISOString()
            : null,
        },
        'KPI stage prepared',
      );
    })();
    return prepared;
  };

  const release = async () => {
    for (const t of timers) clearInterval(t);
    timers = [];
    await state?.close();
  };

  const runnable = (): Runnable => {
    if (!stage) throw new Error('kpi: runnable() before prepare()');
    const inner = stage;
    return {
      get name() {
        return inner.name;
      },
      get state() {
        return inner.state;
      },
      done: inner.done,
      start: () => inner.start(),
      stop: async (o) => {
        await inner.stop(o);
        await release();
      },
      abort: async () => {
        await inner.abort();
        await release();
      },
      health(): StageHealth {
        const h = inner.health();
        if (flushFailure) {
          const since = new Date(flushFailure.at).toISOString();
          return { ...h, ready: false, error: `state flush failing since ${since}: ${flushFailure.error}` };
        }
        const sinceFlush = Date.now() - (state?.lastFlushedAt ?? 0);
        if (h.state === 'running' && sinceFlush > STALE_MS)
          return { ...h, ready: false, error: `no state flush for ${Math.round(sinceFlush / 1000)} s` };
        return h;
      },
    };
  };

  return {
    view,
    config: settings,
    prepare,
    runnable,
    async start() {
      await prepare();
      await runnable().start();
    },
    async stop() {
      if (!prepared) return;
      await prepared;
      await runnable().stop();
    },
    gauges: () =>
      facts
        ? facts.gauges()
        : { tasks: new Map(), drafts: new Map(), operators: { loggedIn: 0, ready: 0, onBreak: 0 } },
    streamTime: () => state?.streamTime(WINDOWS_STORE),
    lateRecords: () => ({ ...late }),
  };
}
