import type { CallbackRequest, DialTask, OperatorSession, PipelineConfig } from '@tm/contracts';
import {
  concurrentMapByKey,
  createStage,
  type Logger,
  type OutboundRecord,
  onceUntilFailed,
  type Runnable,
  type Serde,
  StageMetrics,
  type Transport,
} from '@tm/pipeline-core';
import type { Knex } from 'knex';
import { defer, map } from 'rxjs';
import { rideOutRetry } from '../arm/ride-out.js';
import { migrateToLatest } from '../campaign/db/migrate.js';
import { DependencyProbe } from '../runtime/dependency-probe.js';
import { createLogger } from '../runtime/logger.js';
import { contractSerdes } from '../runtime/serdes.js';
import { serviceRunnable } from '../runtime/service-runnable.js';
import { stageSettingsOf } from '../runtime/stage-settings.js';
import { deadLetterTopicOf, pipelineTopics } from '../runtime/topics.js';
import type { Telephony } from '../telephony/telephony.js';
import { CallEventPublisher } from './call-event-publisher.js';
import { DialerMetrics } from './dialer-metrics.js';
import { GuardedTelephony } from './guarded-telephony.js';
import { type CredentialsOf, credentialsFrom, errorText, OperatorSessions } from './operator-sessions.js';
import { Poller, type PollRound } from './poller.js';
import { recordInstructionsOf } from './record-instructions.js';
import { RoundLoop } from './round-loop.js';
import { Sender } from './sender.js';
import { type Instruction, recoverInterrupted } from './tasks-db.js';

/** Session events applied at once (one per operator at a time). */
const SESSION_CONCURRENCY = 16;
/** How long a partial batch of consumed instructions waits before it is stored. */
const RECORD_LINGER_MS = 5;

/** What {@link createDialer} needs. */
export interface DialerOptions {
  /** The pipeline config: its `dialer` and `topics` sections. */
  config: PipelineConfig;
  /** Kafka or the memory transport; the caller closes it. */
  transport: Transport;
  /** The campaign database; the caller destroys it. */
  db: Knex;
  /** The telephony (`HttpTelephony`, or a fake in tests); the dialer adds its timeout and breaker. */
  telephony: Telephony;
  /** Operators' telephony logins (default: {@link credentialsFrom} with `operatorSecret`). */
  credentialsOf?: CredentialsOf;
  /** The account's operators' secret, for operators without a TM$MIGHTYCALL_OPERATORS row (ADR 0085). */
  operatorSecret?: string;
  logger?: Logger;
  metrics?: StageMetrics;
  clock?: () => Date;
  /** Whether the sender and the poller run on their own once started (default true); tests call sendNow/pollNow. */
  schedules?: boolean;
}

/** The dialer (tm-mightycall-adapter, thesis §2.6.6) wired to its transport, database and telephony. */
export interface Dialer {
  /** The three consuming stages, the sender and the poller, for `runRunner` (after {@link prepare}). */
  readonly runnables: readonly Runnable[];
  readonly sessions: OperatorSessions;
  /** Migrates, creates its topics, resolves sends a crash interrupted, loads the active operators. Idempotent. */
  prepare(): Promise<void>;
  /** {@link prepare}, then starts every runnable. */
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Sends what is pending now (tests, benchmarks); resolves with the number of instructions taken. */
  sendNow(): Promise<number>;
  /** Polls every active operator now. */
  pollNow(): Promise<PollRound>;
}

/**
 * Builds the dialer: consumes tm-dial-tasks, tm-callback-requests and tm-operator-sessions into
 * TM$MIGHTYCALL_TASKS and TM$MIGHTYCALL_ACTIVE_OPERATORS; a sender loop sends pending instructions to the telephony;
 * a poller publishes the active operators' calls to tm-call-events (ADRs 0082–0089).
 *
 * ## Example
 * ```ts
 * const dialer = createDialer({ config, transport, db, telephony: new HttpTelephony(...), operatorSecret });
 * await dialer.start();
 * ```
 */
export function createDialer(options: DialerOptions): Dialer {
  const { config, transport, db } = options;
  const settings = config.dialer;
  const { topics } = config;
  const clock = options.clock ?? (() => new Date());
  const rootLogger = options.logger ?? createLogger('dialer');
  const logger = rootLogger.child({ component: 'dialer' });
  const stageMetrics = options.metrics ?? new StageMetrics();
  const metrics = new DialerMetrics(stageMetrics.registry);
  const serdes = contractSerdes(config, logger);
  const group = settings.consumerGroup;

  const telephony = new GuardedTelephony(options.telephony, {
    timeoutMs: settings.telephonyTimeoutMs,
    breakerFailures: settings.send.breakerFailures,
    breakerHalfOpenMs: settings.send.breakerHalfOpenMs,
  });
  telephony.onBreakerStateChange((state) => {
    metrics.breakerOpen.set(state === 'open' ? 1 : 0);
    logger.warn({ breaker: state }, 'telephony circuit breaker changed state');
  });
  const sessions = new OperatorSessions({
    db,
    telephony,
    credentialsOf: options.credentialsOf ?? credentialsFrom(db, options.operatorSecret ?? ''),
    metrics,
    logger,
    refreshBeforeExpiryMs: settings.operators.refreshBeforeExpiryMs,
    loginRetryMs: settings.operators.loginRetryMs,
    now: () => clock().getTime(),
  });
  const sender = new Sender({
    db,
    telephony,
    settings: settings.send,
    metrics,
    logger,
    admits: () => telephony.admits(),
    rideOutMs: settings.rideOutMs,
    now: clock,
  });
  const publisher = new CallEventPublisher(
    transport.createProducer({ clientId: `${group}.call-events` }),
    topics.callEvents,
    serdes.callEvent,
  );
  const poller = new Poller({
    db,
    telephony,
    sessions,
    publisher,
    metrics,
    logger,
    concurrency: settings.pollConcurrency,
    now: () => clock().getTime(),
  });
  const probe = new DependencyProbe({ database: () => db.raw('SELECT 1') }, { logger });
  const loop = new RoundLoop(() => sender.round(), {
    pauseAfter: (taken) => (taken >= settings.send.batchSize ? 0 : settings.send.intervalMs),
    afterFailureMs: settings.send.intervalMs,
    onError: (error) => logger.warn({ error: errorText(error) }, 'send round failed; the next one retries'),
  });
  const pollLoop = new RoundLoop(() => poller.round(), {
    pauseAfter: (_round, elapsedMs) => settings.pollIntervalMs - elapsedMs,
    afterFailureMs: settings.pollIntervalMs,
    onError: (error) =>
      logger.warn(
        { error: errorText(error) },
        'poll round failed; its cursors are kept and the next round retries',
      ),
  });

  const common = {
    transport,
    logger: rootLogger,
    metrics: stageMetrics,
    ...stageSettingsOf(config),
  };
  const none: readonly OutboundRecord[] = [];
  const instructionStage = <T>(
    suffix: string,
    topic: string,
    serde: Serde<T>,
    instructionOf: (value: T) => Instruction,
  ) =>
    createStage<T>({
      ...common,
      name: `${group}.${suffix}`,
      input: { topics: topic, serde },
      maxInFlight: settings.send.batchSize * 4,
      process: (records) =>
        records.pipe(
          recordInstructionsOf(instructionOf, {
            db,
            batchSize: settings.send.batchSize,
            lingerMs: RECORD_LINGER_MS,
            rideOutMs: settings.rideOutMs,
            onStored: (stored, duplicates) => {
              metrics.instructions.inc({ type: suffix, outcome: 'stored' }, stored);
              if (duplicates > 0)
                metrics.instructions.inc({ type: suffix, outcome: 'duplicate' }, duplicates);
              if (stored > 0) loop.wake();
            },
          }),
        ),
    });
  const dialTaskStage = instructionStage<DialTask>('dial-tasks', topics.dialTasks, serdes.dialTask, (t) => ({
    dialTaskId: t.dialTaskId,
    type: t.action,
    taskId: t.taskId,
    attempt: t.attempt,
    phone: t.phone,
    operatorId: null,
  }));
  const callbackStage = instructionStage<CallbackRequest>(
    'callback-requests',
    topics.callbackRequests,
    serdes.callbackRequest,
    (r) => ({
      dialTaskId: r.requestId,
      type: 'ADD',
      taskId: r.taskId,
      attempt: r.attempt,
      phone: r.phone,
      operatorId: r.operatorId,
    }),
  );
  const sessionStage = createStage<OperatorSession>({
    ...common,
    name: `${group}.operator-sessions`,
    input: { topics: topics.operatorSessions, serde: serdes.operatorSession },
    process: (records) =>
      records.pipe(
        concurrentMapByKey(
          ({ value }) =>
            defer(async () => {
              const outcome = await sessions.apply(value);
              if (outcome === 'unknown-operator')
                logger.warn(
                  { operatorId: value.operatorId },
                  'session of an operator TM$OPERATORS does not know; ignored',
                );
              else logger.info({ operatorId: value.operatorId, action: value.action }, 'operator session');
              return outcome;
            }).pipe(rideOutRetry(settings.rideOutMs)),
          { concurrency: SESSION_CONCURRENCY },
        ),
        map((record) => record.withValue(none)),
      ),
  });

  const health = () => ({
    ready: () => probe.ready() && telephony.breakerState() !== 'open',
    reason: () =>
      probe.reason() ?? (telephony.breakerState() === 'open' ? 'telephony: circuit breaker open' : null),
  });
  const scheduled = options.schedules ?? true;
  const senderRunnable = serviceRunnable('dialer.sender', {
    start: async () => {
      await probe.start();
      if (scheduled) loop.start();
    },
    stop: async () => {
      await loop.stop();
      await probe.stop();
    },
    ...health(),
  });
  const pollerRunnable = serviceRunnable('dialer.poller', {
    start: async () => {
      if (scheduled) pollLoop.start();
    },
    stop: () => pollLoop.stop(),
  });
  const runnables: readonly Runnable[] = [
    dialTaskStage,
    callbackStage,
    sessionStage,
    senderRunnable,
    pollerRunnable,
  ];

  const own = [topics.dialTasks, topics.callbackRequests, topics.operatorSessions];
  const ownTopics = new Set([...own, ...own.map(deadLetterTopicOf(config)), topics.callEvents]);
  // A failed preparation (database or broker down) is tried afresh by the next call.
  const prepare = onceUntilFailed(async (): Promise<void> => {
    await migrateToLatest(db);
    await transport.ensureTopics(pipelineTopics(config).filter((t) => ownTopics.has(t.topic)));
    await serdes.callEvent.ready?.();
    const recovered = await recoverInterrupted(db, clock());
    if (recovered.adds > 0)
      logger.warn(
        recovered,
        'sends interrupted by a stop: pending again; each ADD is looked up at the telephony before it is sent (ADR 0169)',
      );
    const active = await sessions.load();
    logger.info({ activeOperators: active, ...recovered }, 'dialer prepared');
  });

  return {
    runnables,
    sessions,
    prepare,
    async start() {
      await prepare();
      for (const r of runnables) await r.start();
    },
    async stop() {
      await Promise.allSettled(runnables.map((r) => r.stop()));
      await publisher.close();
    },
    sendNow: () => sender.round(),
    pollNow: () => poller.round(),
  };
}
