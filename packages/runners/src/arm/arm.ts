import type { CallEvent, PipelineConfig } from '@tm/contracts';
import {
  concurrentMapByKey,
  createStage,
  type Emission,
  type OutboundRecord,
  type Stage,
  StageMetrics,
  type Transport,
} from '@tm/pipeline-core';
import type { Knex } from 'knex';
import type { Logger } from 'pino';
import { defer, map, type Observable } from 'rxjs';
import { migrateToLatest } from '../campaign/db/migrate.js';
import { type ApiServer, createApiServer } from '../http/api-server.js';
import { type ServedApi, servedApi } from '../http/served-api.js';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { DependencyProbe } from '../runtime/dependency-probe.js';
import { createLogger } from '../runtime/logger.js';
import { contractSerdes } from '../runtime/serdes.js';
import { periodicRunnable } from '../runtime/service-runnable.js';
import { stageSettingsOf } from '../runtime/stage-settings.js';
import { pipelineTopics } from '../runtime/topics.js';
import { ArmMetrics } from './arm-metrics.js';
import { ArmPublisher } from './arm-publisher.js';
import { type ArmRouteDeps, armRoutes, armStatus } from './arm-routes.js';
import { ArmState } from './arm-state.js';
import { CallEventHandler } from './call-event-handler.js';
import { CardPresenter } from './card/present.js';
import { OperatorActions } from './operator-actions.js';
import { type PageSource, pageSourceOf, servePage } from './operator-page.js';
import { draftOverdueWindows, type OverdueWindow } from './result-windows-db.js';
import { rideOutRetry } from './ride-out.js';
import { ARM_SCHEMAS } from './schemas.js';
import type { SecurityPort } from './security-client.js';
import { SessionKeeper } from './sessions.js';

/** Call events handled at once (one per operator at a time). */
const EVENT_CONCURRENCY = 16;
/** Overdue windows drafted per sweep transaction. */
const SWEEP_BATCH = 200;

/** What {@link createArm} needs. */
export interface ArmOptions {
  /** The pipeline config: its `arm` and `topics` sections. */
  config: PipelineConfig;
  /** Kafka or the memory transport; the caller closes it. */
  transport: Transport;
  /** The campaign database; the caller destroys it. */
  db: Knex;
  /** The fast state: Redis, or a MemoryStore when embedded; the caller closes it. */
  store: KeyValueStore;
  /** The security service: over HTTP (`HttpSecurity`) or in-process (`inProcessSecurity`). */
  security: SecurityPort;
  logger?: Logger;
  metrics?: StageMetrics;
  clock?: () => Date;
  /** Where to listen (default: `arm.host` and `arm.port`; port 0 picks a free one). */
  listen?: { host: string; port: number };
  /** Called with the milliseconds from each CALL_STARTED's time to its card being ready (benchmarks, the demo). */
  onCardReady?: (latencyMs: number) => void;
}

/**
 * The ARM (tm-arm) wired to its transport, database, store and security service. Its runnables are the call-event
 * stage, the HTTP server, the 60-second sweep and the idle-session reaper; `prepare` migrates, creates the ARM's
 * topics and builds the routes.
 */
export interface Arm extends ServedApi {
  /** Runs one 60-second sweep now (tests, the demo); resolves with the communications drafted. */
  sweepNow(): Promise<OverdueWindow[]>;
  /** Runs one idle-session round now; resolves with the sessions closed. */
  reapNow(): Promise<number>;
}

/**
 * The ARM API as a Fastify instance over `deps` (also what `tm openapi` prints), with `page` served at `/` beside
 * it when given (the operator page, ADR 0117).
 */
export async function buildArmApi(
  deps: ArmRouteDeps,
  options: { bodyLimit: number; page?: PageSource },
): Promise<ApiServer> {
  const app = await createApiServer({
    title: 'tm-arm',
    version: '1.0',
    description:
      'The operator workstation API (thesis §2.6.5, Appendices Д–М). Every answer is {status, data}; locked ' +
      'endpoints take Authorization: Bearer <token> from /login.',
    bodyLimit: options.bodyLimit,
    logger: deps.logger,
    errorBody: (code, description) => armStatus(code, description),
    schemas: ARM_SCHEMAS,
    bearer: true,
  });
  armRoutes(app, deps);
  if (options.page) await servePage(app, options.page);
  return app;
}

/**
 * Builds the ARM: `tm run arm` hands its runnables to `runRunner`; the demo calls {@link Arm.start} with a
 * MemoryStore, the memory transport and the security service in-process.
 *
 * ## Example
 * ```ts
 * const arm = createArm({ config, transport, db, store, security: inProcessSecurity(security.service) });
 * await arm.start();   // listens on arm.port; consumes tm-call-events
 * ```
 */
export function createArm(options: ArmOptions): Arm {
  const { config, transport, db, store, security } = options;
  const settings = config.arm;
  const { topics } = config;
  const clock = options.clock ?? (() => new Date());
  const rootLogger = options.logger ?? createLogger('arm');
  const logger = rootLogger.child({ component: 'arm' });
  const stageMetrics = options.metrics ?? new StageMetrics();
  const metrics = new ArmMetrics(stageMetrics.registry, () => store.cached.counts());
  const serdes = contractSerdes(config);
  const state = new ArmState(store);
  const publisher = new ArmPublisher(
    transport.createProducer({ clientId: `${settings.consumerGroup}.publisher` }),
    topics,
    serdes,
  );
  const presenter = new CardPresenter(settings, clock);
  const sessions = new SessionKeeper(state, publisher, {
    idleCloseMs: settings.session.idleCloseMs,
    logger,
    now: () => clock().getTime(),
  });
  const actions = new OperatorActions({
    db,
    state,
    store,
    publisher,
    presenter,
    metrics,
    config: settings,
    logger,
    clock,
  });
  const handler = new CallEventHandler(db, state, presenter, {
    resultWindowMs: settings.resultWindowMs,
    historyLimit: settings.historyLimit,
  });

  const stage: Stage<CallEvent> = createStage<CallEvent>({
    name: `${settings.consumerGroup}.call-events`,
    transport,
    logger: rootLogger,
    metrics: stageMetrics,
    ...stageSettingsOf(config),
    input: { topics: topics.callEvents, serde: serdes.callEvent },
    process: (records): Observable<Emission> =>
      records.pipe(
        concurrentMapByKey(
          ({ value }) =>
            defer(async () => {
              const outcome = await handler.handle(value);
              if (outcome === 'card-ready') {
                const latencyMs = Date.now() - value.occurredAt;
                metrics.cardReady.observe(latencyMs / 1000);
                options.onCardReady?.(latencyMs);
              }
              metrics.callEvents.inc({ type: value.type, outcome });
              return outcome;
            }).pipe(rideOutRetry(settings.rideOutMs)),
          { concurrency: EVENT_CONCURRENCY },
        ),
        map((record) => record.withValue<readonly OutboundRecord[]>([])),
      ),
  });

  const sweepNow = async (): Promise<OverdueWindow[]> => {
    const drafted = await draftOverdueWindows(db, clock(), SWEEP_BATCH, async (windows) => {
      for (const w of windows) {
        await publisher.result({
          communicationId: w.communicationId,
          taskId: w.taskId,
          operatorId: w.operatorId,
          clientPhone: w.phone,
          state: 'DRAFT',
          reason: null,
          result: null,
          comment: null,
          savedAt: clock().getTime(),
        });
        metrics.saves.inc({ state: 'DRAFT', by: 'server' });
      }
    });
    for (const w of drafted) {
      logger.info(
        { operatorId: w.operatorId, communicationId: w.communicationId },
        'no result in time; DRAFT saved',
      );
      await state.dropCard(w.operatorId, w.communicationId);
      await state.savePending(w.operatorId, w.communicationId, 'DRAFT');
      await state.addChange(w.operatorId, 'COMMUNICATIONS_CHANGED');
    }
    return drafted;
  };
  const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));
  const sweep = periodicRunnable(
    'arm.result-window-sweep',
    settings.resultSweepIntervalMs,
    sweepNow,
    (error) => logger.warn({ error: errorText(error) }, 'result-window sweep failed; the next one retries'),
  );
  const reapNow = () => sessions.reapIdle();
  const reaper = periodicRunnable('arm.idle-sessions', settings.session.reapIntervalMs, reapNow, (error) =>
    logger.warn({ error: errorText(error) }, 'closing idle sessions failed; the next round retries'),
  );
  const probe = new DependencyProbe(
    { database: () => db.raw('SELECT 1'), redis: () => store.ping(), security: () => security.ping() },
    { logger },
  );

  // A failed preparation (database or broker down) is tried afresh by the next call.
  const lifecycle = servedApi('arm', {
    prepare: async () => {
      await migrateToLatest(db);
      const own = new Set([
        topics.callEvents,
        `${topics.callEvents}${topics.dlqSuffix}`,
        topics.operatorSessions,
        topics.communicationResults,
        topics.callbackRequests,
      ]);
      await transport.ensureTopics(pipelineTopics(config).filter((t) => own.has(t.topic)));
      // With a Schema Registry, the schemas the publisher writes are registered before its first send (ADR 0122).
      await serdes.operatorSession.ready?.();
      return buildArmApi(
        {
          db,
          security,
          state,
          sessions,
          actions,
          presenter,
          logger,
          dictionaries: settings.dictionaries,
          pollIntervalMs: settings.pollIntervalMs,
          historyLimit: settings.historyLimit,
          reworkListLimit: settings.reworkListLimit,
          now: () => clock().getTime(),
        },
        { bodyLimit: settings.bodyLimitBytes, page: pageSourceOf(settings.staticRoot) },
      );
    },
    listen: options.listen ?? { host: settings.host, port: settings.port },
    probe,
    runnables: (server) => [stage, server, sweep, reaper],
    afterStop: () => publisher.close(),
  });
  return Object.assign(lifecycle, { sweepNow, reapNow });
}
