import type { Application, PipelineConfig } from '@tm/contracts';
import {
  type CompiledCampaign,
  compileCampaigns,
  createFilterRegistry,
  createServiceClients,
  evaluateApplication,
  type FilterRegistry,
  keptAnswers,
  type ServiceClients,
  type Services,
  watchBreakers,
} from '@tm/filters';
import {
  type Committable,
  concurrentMapByKey,
  createStage,
  defaultLogger,
  type Logger,
  type OutboundRecord,
  type Runnable,
  retryBackoff,
  type Stage,
  StageMetrics,
  type Transport,
  toOutputs,
} from '@tm/pipeline-core';
import { defer, type Observable } from 'rxjs';
import { contractSerdes } from '../runtime/serdes.js';
import { serviceRunnable } from '../runtime/service-runnable.js';
import { stageSettingsOf } from '../runtime/stage-settings.js';
import { type DecisionSinks, decisionRecords } from './decision-records.js';
import { evaluationFailureCounter, failureLabels } from './evaluation-metrics.js';
import { rideOutRetryPolicy } from './ride-out-retry.js';

/** The analyser's stage name: its consumer group and, with `-tx`, its transactional id (thesis: tml-events-analyser). */
export const ANALYSER_STAGE_NAME = 'tml-events-analyser';

export interface AnalyserStageOptions {
  /** The pipeline config: data-stream topics in, campaigns, `events-analyser` runner keys, topics out, services. */
  readonly config: PipelineConfig;
  readonly transport: Transport;
  /**
   * The external services. Default: HTTP clients made from `config.services`, closed by `close()`. The demo passes
   * clients pointed at its in-process simulators (and closes them itself); tests may pass `fakeServices()`.
   */
  readonly services?: Services;
  readonly logger?: Logger;
  /** Stage metrics (Prometheus); the analyser adds `tm_analyser_evaluation_failures_total` to its registry. */
  readonly metrics?: StageMetrics;
  /** Filters to compile the campaigns with (default: the built-in ones). */
  readonly registry?: FilterRegistry;
  /** Stage name and consumer group (default {@link ANALYSER_STAGE_NAME}). */
  readonly name?: string;
  /**
   * This replica's id, stable across its restarts (`analyser-0`): its transactional id becomes
   * `<name>-<instanceId>-tx`, so replicas never fence each other and a restarted one fences its own zombie.
   * Without it the transactional id is `<name>-tx`: right for one replica.
   */
  readonly instanceId?: string;
  /** The clock of `decidedAt` (default Date.now). */
  readonly now?: () => number;
  /** Jitter source of the retry backoff, [0, 1) (default Math.random). */
  readonly random?: () => number;
}

/** A built analyser: the stage to run, what it decides with, and what to close after it stopped. */
export interface AnalyserStage {
  readonly stage: Stage<Application>;
  /**
   * What `runRunner` runs: the stage, and `<name>.services`, unready while a service's circuit breaker refuses
   * calls (its reason, `blacklist: circuit breaker open`, on /readyz; ADR 0188).
   */
  readonly runnables: readonly Runnable[];
  readonly campaigns: readonly CompiledCampaign[];
  /** The topics it consumes: every data stream's topic, each once. */
  readonly inputTopics: readonly string[];
  /** Stops watching the services' circuit breakers and closes the clients it made. Call after the stage stopped. */
  close(): Promise<void>;
}

/**
 * The analyser (thesis §2.6.2, tml-events-analyser) as a stage: consumes every data stream's topic, evaluates each
 * application against every campaign of the config, and publishes, per campaign, a Candidate to `topics.candidates`
 * or a Rejection to `topics.rejections`, keyed by phone.
 *
 * - **Exactly once per campaign.** Delivery is `exactly-once`: an application's decisions for all campaigns and
 *   its consumed offset are written in one Kafka transaction, so a crash never duplicates nor loses a decision and
 *   never publishes half of an application's campaigns (ADR 0050).
 * - **Key-ordered concurrency.** `events-analyser.concurrency` applications are evaluated at once, at most one per
 *   phone, so a slow service call holds up only its own client (ADR 0051).
 * - **Outages are waited out.** When a service cannot answer, the application is evaluated again with backoff for
 *   at least `events-analyser.retry.ride-out-ms`, asking again only the services that have not answered it yet;
 *   then, or at once for a permanent error, it goes to the dead-letter topic with the reason (ADR 0052). While a
 *   service's circuit breaker refuses calls, `runnables` reports the analyser unready, naming the service (ADR 0188).
 *
 * Topics are not created here: the runner calls `ensurePipelineTopics` first.
 *
 * ## Example
 * ```ts
 * const analyser = createAnalyserStage({ config, transport, logger, metrics });
 * await analyser.stage.start();
 * // ... later
 * await analyser.stage.stop();
 * await analyser.close();
 * ```
 */
export function createAnalyserStage(options: AnalyserStageOptions): AnalyserStage {
  const { config, transport } = options;
  const name = options.name ?? ANALYSER_STAGE_NAME;
  const log = options.logger ?? defaultLogger(name);
  const metrics = options.metrics ?? new StageMetrics();
  const now = options.now ?? Date.now;
  const analyser = config.eventsAnalyser;
  const campaigns = compileCampaigns(analyser.campaigns, options.registry ?? createFilterRegistry());
  const owned: ServiceClients | undefined = options.services
    ? undefined
    : createServiceClients(config.services);
  const services: Services = options.services ?? (owned as ServiceClients);
  const breakers = watchBreakers(services, log);
  const failures = evaluationFailureCounter(metrics.registry);
  const policy = rideOutRetryPolicy(analyser.retry, options.random);
  // The input serde's ready() (awaited by the stage before it consumes) registers the output schemas too.
  const serdes = contractSerdes(config, log);
  const sinks: DecisionSinks = {
    candidates: { topic: config.topics.candidates, serde: serdes.candidate },
    rejections: { topic: config.topics.rejections, serde: serdes.rejection },
  };
  const inputTopics = [...new Set(config.events.dataStreams.map((s) => s.topic))];

  /** One application's decisions as records, evaluated again while its services cannot answer. */
  const decide = (record: Committable<Application>): Observable<OutboundRecord[]> => {
    const app = record.value;
    const answers = keptAnswers(services);
    return defer(async () => {
      try {
        return decisionRecords(app, await evaluateApplication(app, campaigns, answers), now(), sinks);
      } catch (err) {
        const labels = failureLabels(err);
        failures.inc(labels);
        log.debug(
          {
            applicationNumber: app.applicationNumber,
            ...labels,
            error: err instanceof Error ? err.message : String(err),
          },
          'evaluation failed',
        );
        throw err;
      }
    }).pipe(retryBackoff(policy));
  };

  const stage = createStage<Application>({
    name,
    transport,
    input: { topics: inputTopics, serde: serdes.application },
    delivery: 'exactly-once',
    transactionalId: options.instanceId ? `${name}-${options.instanceId}-tx` : `${name}-tx`,
    maxInFlight: analyser.maxInFlight,
    ...stageSettingsOf(config),
    logger: log,
    metrics,
    process: (records) =>
      records.pipe(
        concurrentMapByKey(decide, { concurrency: analyser.concurrency, keyOf: (r) => r.value.phone }),
        toOutputs((outputs) => outputs),
      ),
  });

  const serviceReadiness = serviceRunnable(`${name}.services`, {
    start: async () => {},
    stop: async () => {},
    ready: () => breakers.ready(),
    reason: () => breakers.reason(),
  });

  return {
    stage,
    runnables: [stage, serviceReadiness],
    campaigns,
    inputTopics,
    close: async () => {
      breakers.dispose();
      await owned?.close();
    },
  };
}
