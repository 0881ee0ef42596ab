import type { CallEvent, Candidate, CommunicationResult, PipelineConfig } from '@tm/contracts';
import {
  createStage,
  type Logger,
  onceUntilFailed,
  type Periodic,
  type RetryPolicy,
  runEvery,
  type Serde,
  type Stage,
  StageMetrics,
  type Transport,
  type TransportProducer,
} from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { createLogger } from '../../runtime/logger.js';
import { contractSerdes } from '../../runtime/serdes.js';
import { stageSettingsOf } from '../../runtime/stage-settings.js';
import { deadLetterTopicOf, pipelineTopics } from '../../runtime/topics.js';
import { applyCallEvent, type CallEventOutcome } from '../db/call-events.js';
import { type CallStartTimeouts, timeOutUnstartedCalls } from '../db/call-start-timeout.js';
import { campaignRowsOf, upsertCampaigns } from '../db/campaigns.js';
import { applyCommunicationResult, type ResultOutcome } from '../db/communication-results.js';
import { poolMaxOf } from '../db/connect.js';
import { type IngestResult, ingestCandidates } from '../db/ingest.js';
import { migrateToLatest } from '../db/migrate.js';
import { AnalyzeTrigger } from './analyze-trigger.js';
import { applyToDatabase } from './apply-to-database.js';
import { DB_RETRY } from './db-retry.js';
import { Dispatcher, type DispatchRound, type OutboxPublisherMode } from './dispatcher.js';
import { CampaignEngineMetrics } from './engine-metrics.js';
import { UnknownReferenceError } from './errors.js';
import { pruneOldRows } from './housekeeping.js';
import { ingestBatches } from './ingest-batches.js';

/** Call events or communication results applied at once per stage (one per operator key at a time). */
const EVENT_CONCURRENCY = 4;

/** What {@link createCampaignEngine} needs. */
export interface CampaignEngineOptions {
  /** The pipeline config: `campaign-engine`, the analyser's campaigns, `topics`. */
  config: PipelineConfig;
  /** Kafka or the memory transport (`transportFor(config)`); the caller closes it. */
  transport: Transport;
  /** The campaign database; the caller destroys it. A pool of one connection selects the `single-process` publisher. */
  db: Knex;
  logger?: Logger;
  /** The stages' metrics; the engine registers its own counters in the same registry. */
  metrics?: StageMetrics;
  /** The engine's notion of now: task due times, calling hours, re-call block times (default: the system clock). */
  clock?: () => Date;
  /** Retries of retriable database failures in the stages (default {@link DB_RETRY}). */
  dbRetry?: RetryPolicy;
  /** How the outbox publisher stays alone (default: `single-process` for a pool of one connection, else `advisory-lock`). */
  publisher?: OutboxPublisherMode;
  /**
   * Whether dispatch and housekeeping run on the config's schedules once prepared (default true). Without them,
   * {@link CampaignEngine.dispatchNow} dispatches.
   */
  schedules?: boolean;
}

/** A campaign engine (tm-campaign-engine, thesis §2.6.3) wired to its transport and database. */
export interface CampaignEngine {
  /**
   * The engine's consuming stages: candidates, call events, communication results. {@link start} starts them;
   * a runner may instead hand them to `runRunner` after {@link prepare}.
   */
  readonly stages: readonly Stage<unknown>[];
  /**
   * Applies the migrations, upserts the config's campaigns, creates the engine's topics, connects the dial-task
   * producer and starts the dispatch and housekeeping schedules. Idempotent.
   */
  prepare(): Promise<void>;
  /** {@link prepare}, then starts the stages. */
  start(): Promise<void>;
  /** Stops the stages gracefully, then the schedules (waiting for a running dispatch), then the producer. */
  stop(): Promise<void>;
  /**
   * Dispatches now, without waiting for the schedule: claims every due task inside calling hours and publishes
   * the outbox (so the dial tasks are on the topic when it resolves). Queues behind a running dispatch. Resolves
   * with the number of tasks claimed.
   */
  dispatchNow(): Promise<number>;
  /**
   * Handles the tasks whose call has not started `dispatch.call-start-timeout-ms` after dispatch now (ADR 0087): a
   * DELETE each (published before it resolves), requeued or closed. Resolves with the counts.
   */
  timeOutUnstartedNow(): Promise<CallStartTimeouts>;
}

/**
 * Builds the campaign engine: the stages that ingest `tml-candidates` in batches and apply `tm-call-events` and
 * `tm-communication-results`, the scheduled dispatch with its outbox publisher to `tm-dial-tasks`, and the slow
 * housekeeping. Runs the same on Kafka with PostgreSQL (`tm run campaign`) and in-process on the memory transport
 * with PGlite (`pnpm demo`).
 *
 * ## Example
 * ```ts
 * const pg = await startEmbeddedPostgres();
 * const engine = createCampaignEngine({ config, transport, db: pg.knex, schedules: false });
 * await engine.start();
 * const claimed = await engine.dispatchNow(); // dial tasks are on tm-dial-tasks now
 * await engine.stop();
 * ```
 */
export function createCampaignEngine(options: CampaignEngineOptions): CampaignEngine {
  const { config, transport, db } = options;
  const settings = config.campaignEngine;
  const { topics } = config;
  const clock = options.clock ?? (() => new Date());
  const retry = options.dbRetry ?? DB_RETRY;
  const logger = options.logger ?? createLogger('campaign-engine');
  const log = logger.child({ component: 'campaign-engine' });
  const stageMetrics = options.metrics ?? new StageMetrics();
  const metrics = new CampaignEngineMetrics(stageMetrics.registry);
  const serdes = contractSerdes(config, log);
  const group = settings.consumerGroup;
  const mode: OutboxPublisherMode =
    options.publisher ?? (poolMaxOf(db) === 1 ? 'single-process' : 'advisory-lock');
  const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const scheduleFailed = (work: string) => (error: unknown) => {
    metrics.scheduleFailures.inc({ work });
    log.error({ work, error: errorText(error) }, 'scheduled work failed; it runs again on its next tick');
  };

  const producer: TransportProducer = transport.createProducer({ clientId: `${group}.dispatcher` });
  const dispatcher = new Dispatcher({
    db,
    producer,
    serde: serdes.dialTask,
    topic: topics.dialTasks,
    campaigns: settings.campaigns,
    batchSize: settings.dispatch.batchSize,
    mode,
    clock,
    onClaimed: (n) => metrics.tasksClaimed.inc(n),
    onPublished: (n) => metrics.dialTasksPublished.inc(n),
  });
  const analyze = new AnalyzeTrigger(
    db,
    settings.ingest.analyzeAfterRows,
    scheduleFailed('analyze'),
    (rows) => log.info({ createdSoFar: rows }, 'planner statistics of campaign tasks refreshed'),
  );

  let stopping = false;
  let schedules: Periodic[] = [];
  const onIngested = (result: IngestResult) => {
    metrics.candidates.inc({ outcome: 'created' }, result.created);
    metrics.candidates.inc({ outcome: 'superseded' }, result.supersededInBatch);
    metrics.candidates.inc({ outcome: 'outdated' }, result.outdated);
    metrics.candidates.inc({ outcome: 'redelivered' }, result.redelivered.length);
    metrics.candidates.inc({ outcome: 'unknown_campaign' }, result.unknownCampaign.length);
    metrics.tasksCanceled.inc(result.canceled);
    analyze.created(result.created);
    // A replaced IN_PROGRESS task has a DELETE waiting in the outbox: send it without waiting for the schedule.
    if (result.deleteDialTasks > 0 && prepare.current && !stopping)
      dispatcher.publish().catch(scheduleFailed('publish'));
  };

  const common = {
    transport,
    logger,
    metrics: stageMetrics,
    ...stageSettingsOf(config),
  };
  const ingestStage = createStage<Candidate>({
    ...common,
    name: `${group}.candidates`,
    input: { topics: topics.candidates, serde: serdes.candidate },
    // Room for every lane to fill a batch while the previous one is being stored.
    maxInFlight: settings.ingest.batchSize * settings.ingest.concurrency * 2,
    process: (records) =>
      records.pipe(
        ingestBatches({
          ingest: (candidates) =>
            ingestCandidates(db, candidates, clock(), { defaultTimeZone: settings.defaultTimeZone }),
          batchSize: settings.ingest.batchSize,
          lingerMs: settings.ingest.lingerMs,
          concurrency: settings.ingest.concurrency,
          retry,
          onIngested,
          onBatchRefused: (error, records) =>
            log.warn(
              { records, error: errorText(error) },
              'batch refused; storing its candidates one by one',
            ),
        }),
      ),
  });
  /** A stage applying each record of `topic` to the database in its own transaction (ADR 0060). */
  const applyingStage = <T, O extends { kind: string }>(stage: {
    suffix: string;
    topic: string;
    serde: Serde<T>;
    apply: (value: T) => Promise<O>;
    rejectionOf: (outcome: O, value: T) => Error | undefined;
  }) =>
    createStage<T>({
      ...common,
      name: `${group}.${stage.suffix}`,
      input: { topics: stage.topic, serde: stage.serde },
      process: (records) =>
        records.pipe(
          applyToDatabase(stage.apply, {
            concurrency: EVENT_CONCURRENCY,
            retry,
            rejectionOf: stage.rejectionOf,
            onOutcome: (outcome) => {
              metrics.events.inc({ kind: stage.suffix, outcome: outcome.kind });
              // A call nobody answered is also closed with its outcome: count what that did (a re-call, ...).
              const closed = (outcome as { closed?: string }).closed;
              if (closed) metrics.events.inc({ kind: 'unanswered-calls', outcome: closed });
            },
          }),
        ),
    });
  const callEventStage = applyingStage<CallEvent, CallEventOutcome>({
    suffix: 'call-events',
    topic: topics.callEvents,
    serde: serdes.callEvent,
    apply: (event) => applyCallEvent(db, event, { now: clock(), campaigns: settings.campaigns }),
    rejectionOf: (outcome, event) =>
      outcome.kind === 'unknown-task'
        ? new UnknownReferenceError('task', event.taskId, event.eventId)
        : undefined,
  });
  const resultStage = applyingStage<CommunicationResult, ResultOutcome>({
    suffix: 'communication-results',
    topic: topics.communicationResults,
    serde: serdes.communicationResult,
    apply: (result) => applyCommunicationResult(db, result, { now: clock(), campaigns: settings.campaigns }),
    rejectionOf: (outcome, result) =>
      outcome.kind === 'unknown-communication'
        ? new UnknownReferenceError('communication', result.communicationId, result.eventId)
        : undefined,
  });
  const stages: readonly Stage<unknown>[] = [ingestStage, callEventStage, resultStage];

  const consumed = [topics.candidates, topics.callEvents, topics.communicationResults];
  const dlq = deadLetterTopicOf(config);
  const engineTopics = new Set([...consumed, ...consumed.map(dlq), topics.dialTasks]);

  const timeOutUnstarted = async (): Promise<CallStartTimeouts> => {
    const total = { requeued: 0, closed: 0 };
    for (;;) {
      const batch = await timeOutUnstartedCalls(db, {
        now: clock(),
        timeoutMs: settings.dispatch.callStartTimeoutMs,
        limit: settings.dispatch.batchSize,
        campaigns: settings.campaigns,
      });
      total.requeued += batch.requeued;
      total.closed += batch.closed;
      if (batch.requeued + batch.closed < settings.dispatch.batchSize) break;
    }
    if (total.requeued + total.closed > 0) {
      metrics.callStartTimeouts.inc({ outcome: 'requeued' }, total.requeued);
      metrics.callStartTimeouts.inc({ outcome: 'closed' }, total.closed);
      log.warn(total, 'calls that did not start in time: DELETE sent, tasks requeued or closed');
      await dispatcher.publish(); // the DELETEs go out now, ahead of any new ADD of these tasks
    }
    return total;
  };
  const logRound = (round: DispatchRound) => {
    if (round.claimed > 0 || round.published > 0) log.info(round, 'dispatched');
  };
  // A failed preparation (the database or the broker down) is tried again by the next call.
  const prepare = onceUntilFailed(async (): Promise<void> => {
    const applied = await migrateToLatest(db);
    const campaigns = campaignRowsOf(config.eventsAnalyser.campaigns, settings.campaigns);
    await upsertCampaigns(db, campaigns);
    await transport.ensureTopics(pipelineTopics(config).filter((t) => engineTopics.has(t.topic)));
    await producer.connect();
    await serdes.dialTask.ready?.(); // the dispatcher encodes dial tasks; waits while the registry is down
    if (options.schedules ?? true) {
      schedules = [
        runEvery(
          settings.dispatch.intervalMs,
          () => dispatcher.round().then(logRound),
          scheduleFailed('dispatch'),
        ),
        runEvery(
          settings.housekeeping.intervalMs,
          async () => {
            const pruned = await pruneOldRows(db, clock(), settings.housekeeping);
            log.info(pruned, 'pruned published dial tasks and consumed event ids');
          },
          scheduleFailed('housekeeping'),
        ),
        ...(settings.dispatch.callStartTimeoutMs > 0
          ? [
              runEvery(
                settings.dispatch.timeoutCheckIntervalMs,
                timeOutUnstarted,
                scheduleFailed('call-start-timeout'),
              ),
            ]
          : []),
      ];
    }
    log.info(
      {
        migrationsApplied: applied.length,
        campaigns: campaigns.map((c) => c.id),
        publisher: mode,
        dispatchEveryMs: options.schedules === false ? null : settings.dispatch.intervalMs,
      },
      'campaign engine prepared',
    );
  });

  return {
    stages,
    prepare,
    async start() {
      await prepare();
      await Promise.all(stages.map((s) => s.start()));
    },
    async stop() {
      stopping = true;
      await Promise.allSettled(stages.map((s) => s.stop()));
      await Promise.allSettled(schedules.map((s) => s.stop()));
      await dispatcher.idle();
      await analyze.idle();
      if (prepare.current) await producer.disconnect();
    },
    async dispatchNow() {
      const prepared = prepare.current;
      if (!prepared) throw new Error('campaign engine: dispatchNow() before prepare() or start()');
      await prepared;
      const round = await dispatcher.round();
      logRound(round);
      return round.claimed;
    },
    async timeOutUnstartedNow() {
      const prepared = prepare.current;
      if (!prepared) throw new Error('campaign engine: timeOutUnstartedNow() before prepare() or start()');
      await prepared;
      return timeOutUnstarted();
    },
  };
}
