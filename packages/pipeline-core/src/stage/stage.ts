import { type Observable, Subject, type Subscription } from 'rxjs';
import { DecodeError, DependencyUnavailableError, isFencedError, StageFailedError } from '../errors.js';
import { defaultLogger, type Logger } from '../log.js';
import { type LedgerEntry, OffsetLedger } from '../offsets/offset-ledger.js';
import {
  Committable,
  type Emission,
  type OutboundRecord,
  type RawRecord,
  type Settlement,
} from '../record.js';
import { RECONNECT_BACKOFF, retryWithBackoff } from '../retry/backoff.js';
import type { Serde } from '../serdes/serde.js';
import type {
  RecordBatch,
  TopicPartition,
  Transport,
  TransportConsumer,
  TransportProducer,
} from '../transport/types.js';
import type { Committer } from './committer.js';
import { DeadLetters, defaultDeadLetterTopic } from './dead-letter.js';
import { type StageMeter, StageMetrics } from './metrics.js';
import { OffsetCommitter } from './offset-committer.js';
import type { Runnable } from './runnable.js';
import { SendQueue } from './send-queue.js';
import { SourceQueue } from './source-queue.js';
import { TransactionalCommitter } from './transactional-committer.js';

/**
 * Delivery guarantee of a stage, named like Reactor Kafka's receive methods:
 * - `at-least-once` (default): outputs are produced as records settle; offsets are committed afterwards, up to the
 *   highest contiguous settled offset per partition. A crash replays what was not committed, so downstream may see
 *   duplicates. Cheapest.
 * - `exactly-once`: outputs and the consumed offsets are written in one Kafka transaction per commit interval, and
 *   only for the contiguous settled prefix of each partition, so a read_committed consumer sees every input's
 *   outputs exactly once, whatever crashes. Costs a transaction per interval and adds up to one interval of latency.
 */
export type DeliveryGuarantee = 'at-least-once' | 'exactly-once';

export interface StageOptions<V> {
  /** The stage's name: its consumer group (unless given), its transactional id prefix, its metrics label. */
  name: string;
  transport: Transport;
  input: {
    topics: string | readonly string[];
    serde: Serde<V>;
    /** Consumer group (default: the stage name). */
    groupId?: string;
    /** Where a group with no committed offset starts (default: the earliest record). */
    fromBeginning?: boolean;
  };
  /** The stage's work: plain RxJS from records to what they produce. See {@link toTopic}, {@link filterRecords}. */
  process: (records: Observable<Committable<V>>) => Observable<Emission>;
  delivery?: DeliveryGuarantee;
  /** Records handed to the pipeline and not yet settled, at most (default 1,000). Partitions pause at the bound. */
  maxInFlight?: number;
  /**
   * Records handed to the pipeline and not yet committed, settled or not, at most (default ten times `maxInFlight`,
   * at least 10,000). Settled records wait behind an unsettled one of their partition until it settles (and in
   * exactly-once mode they keep their outputs); this bounds that memory. Reaching it triggers a commit at once.
   */
  maxUncommitted?: number;
  /** How often offsets are committed (default 1,000 ms; 100 ms for exactly-once). */
  commitIntervalMs?: number;
  /** Dead-letter topic of each consumed topic (default `<topic>.dlq`). */
  deadLetterTopic?: (topic: string) => string;
  /** Transactional id for exactly-once (default `<name>-tx`); must be unique per stage instance and stable across its restarts. */
  transactionalId?: string;
  /** How long {@link Stage.stop} waits for in-flight records before committing what is done (default 30,000 ms). */
  shutdownTimeoutMs?: number;
  /**
   * How long the stage rides out a broker outage in-process (default 300,000 ms): when a commit, a send or the
   * consumer fails, it reports itself unready (`recovering`), drops what was not committed, and consumes again from
   * its committed offsets once the broker answers. Past this limit it fails, so its process exits and a supervisor
   * restarts it. 0 fails at once. A fenced producer and an error of the user's pipeline always fail at once.
   */
  outageLimitMs?: number;
  logger?: Logger;
  metrics?: StageMetrics;
}

/** `recovering`: riding out a broker outage (see {@link StageOptions.outageLimitMs}); live, not ready. */
export type StageState =
  | 'created'
  | 'starting'
  | 'running'
  | 'recovering'
  | 'stopping'
  | 'stopped'
  | 'failed';

/** What `/healthz` and `/readyz` report for a stage. */
export interface StageHealth {
  stage: string;
  state: StageState;
  /** The process should keep running (not failed). */
  live: boolean;
  /** The stage is consuming. */
  ready: boolean;
  inFlight: number;
  /** Records not yet committed, settled or not (current generation). */
  uncommitted: number;
  queued: number;
  paused: boolean;
  assignedPartitions: number;
  lastCommitAt: string | null;
  error: string | null;
}

class RecordSettlement implements Settlement {
  settled = false;
  readonly startedAt = performance.now();

  constructor(
    readonly stage: Stage<unknown>,
    readonly entry: LedgerEntry,
    readonly raw: RawRecord,
  ) {}

  deliver(outputs: readonly OutboundRecord[]): void {
    if (this.settled) return;
    this.settled = true;
    this.stage.onDeliver(this, outputs);
  }

  deadLetter(error: unknown, attempts: number): void {
    if (this.settled) return;
    this.settled = true;
    this.stage.onDeadLetter(this, error, attempts);
  }
}

/**
 * A running stage: source → the user's operators → sink, with the runtime around them — offset commits,
 * backpressure, dead-lettering, graceful shutdown, health and metrics. Create one with {@link createStage}.
 */
export class Stage<V> implements Runnable {
  readonly name: string;
  readonly groupId: string;
  readonly metrics: StageMetrics;
  readonly #meter: StageMeter;
  readonly #o: StageOptions<V>;
  readonly #topics: readonly string[];
  readonly #log: Logger;
  readonly #eos: boolean;
  readonly #maxInFlight: number;
  readonly #maxUncommitted: number;
  readonly #deadLetters: DeadLetters;
  readonly #ledger = new OffsetLedger();
  readonly #input = new Subject<Committable<V>>();
  #consumer: TransportConsumer | undefined;
  #producer: TransportProducer | undefined;
  #sends: SendQueue | undefined;
  #pipeline: Subscription | undefined;
  #pipelineDone = false;
  #commitTimer: NodeJS.Timeout | undefined;
  #committing: Promise<void> | undefined;
  readonly #committer: Committer;
  readonly #source: SourceQueue;
  #decoding = false;
  #state: StageState = 'created';
  #lastCommitAt: Date | undefined;
  #error: Error | undefined;
  #settleWaiters: (() => void)[] = [];
  /** When the current broker trouble began (a failed commit, send or consumer; kafkajs reconnecting). */
  #troubleSince: number | undefined;
  /** When the outage being ridden out began (the first fault since the last commit); bounds it by `outageLimitMs`. */
  #outageSince: number | undefined;
  /** A dependency's outage ends only with a commit; a broker's when the group assigns partitions again. */
  #dependencyOutage = false;
  /** Between the group announcing a rebalance and the new assignment: no commits start (issue 15, defect 4). */
  #rebalancing = false;
  #recovering: Promise<void> | undefined;
  #resolveDone!: () => void;
  #rejectDone!: (e: Error) => void;
  /** Settles when the stage stops (resolves) or fails (rejects with a {@link StageFailedError}). */
  readonly done: Promise<void>;

  constructor(options: StageOptions<V>) {
    this.#o = options;
    this.name = options.name;
    this.groupId = options.input.groupId ?? options.name;
    this.#topics = typeof options.input.topics === 'string' ? [options.input.topics] : options.input.topics;
    this.#log = (options.logger ?? defaultLogger()).child({ stage: options.name });
    this.#eos = options.delivery === 'exactly-once';
    this.#maxInFlight = options.maxInFlight ?? 1000;
    this.#maxUncommitted = options.maxUncommitted ?? Math.max(10_000, 10 * this.#maxInFlight);
    this.metrics = options.metrics ?? new StageMetrics();
    this.#committer = this.#eos
      ? new TransactionalCommitter(this.#ledger, () => this.#producer as TransportProducer, this.groupId)
      : new OffsetCommitter(this.#ledger, () => this.#consumer as TransportConsumer);
    this.#source = new SourceQueue({
      accepting: () => !this.#decoding && this.#consuming(),
      hasRoom: () => this.#hasRoom(),
      emit: (raw) => this.#emit(raw),
      afterDrain: () => {
        // Settled records waiting for a commit are what holds the bound: commit now rather than at the next tick.
        if (this.#ledger.uncommitted >= this.#maxUncommitted && !this.#committing) void this.#commitSafely();
      },
      consumer: () => this.#consumer,
    });
    this.#meter = this.metrics.forStage(this.name, () => ({
      inFlight: this.#ledger.inFlight,
      paused: this.#source.paused,
    }));
    this.#deadLetters = new DeadLetters(
      this.name,
      options.deadLetterTopic ?? defaultDeadLetterTopic,
      this.#meter,
      this.#log,
    );
    this.done = new Promise((resolve, reject) => {
      this.#resolveDone = resolve;
      this.#rejectDone = reject;
    });
    this.done.catch(() => {}); // observed through stop()/start() callers; never an unhandled rejection
    if (!Number.isInteger(this.#maxInFlight) || this.#maxInFlight < 1)
      throw new RangeError('maxInFlight must be a positive integer');
    if (!Number.isInteger(this.#maxUncommitted) || this.#maxUncommitted < this.#maxInFlight) {
      throw new RangeError('maxUncommitted must be an integer no smaller than maxInFlight');
    }
  }

  get state(): StageState {
    return this.#state;
  }

  /**
   * Connects, subscribes the pipeline and joins the consumer group. Resolves once consuming. A broker that is not
   * up yet, or topics another runner created a moment ago and that have no leader yet, are waited for within
   * `outageLimitMs` (unready meanwhile, issue 15 defect 9); a fenced producer, or the limit passed, fails the stage.
   */
  async start(): Promise<void> {
    if (this.#state !== 'created')
      throw new Error(`stage ${this.name} cannot start from state ${this.#state}`);
    this.#state = 'starting';
    this.#outageSince = Date.now();
    await retryWithBackoff(
      RECONNECT_BACKOFF,
      () => this.#start(),
      async (err, attempt) => {
        await this.#teardown();
        if (this.#state !== 'starting') throw err; // stopped meanwhile
        if (isFencedError(err) || !this.#withinOutageLimit()) {
          this.#outageSince = undefined;
          this.#fail('start', err);
          throw this.#error ?? err;
        }
        this.#log.warn(
          { attempt, error: err instanceof Error ? err.message : String(err) },
          'stage cannot start yet; trying again',
        );
      },
    );
    this.#outageSince = undefined;
  }

  async #start(): Promise<void> {
    const { transport, input } = this.#o;
    await input.serde.ready?.();
    this.#producer = transport.createProducer({
      ...(this.#eos ? { transactionalId: this.#o.transactionalId ?? `${this.name}-tx` } : {}),
      clientId: this.name,
    });
    await this.#producer.connect();
    await this.#connectSource();
    if (this.#state === 'starting') this.#state = 'running';
    this.#log.info(
      {
        topics: this.#topics,
        groupId: this.groupId,
        delivery: this.#eos ? 'exactly-once' : 'at-least-once',
        transport: transport.kind,
      },
      'stage started',
    );
  }

  /** The pipeline subscribed, the consumer in the group, commits scheduled: at start, and again after an outage. */
  async #connectSource(): Promise<void> {
    const { transport, input } = this.#o;
    this.#sends = new SendQueue(this.#producer as TransportProducer, (err) => this.#fault('send', err));
    this.#pipelineDone = false;
    this.#pipeline = this.#o.process(this.#input.asObservable()).subscribe({
      next: (emission) => emission.settlement.deliver(emission.value),
      error: (err: unknown) =>
        err instanceof DependencyUnavailableError
          ? this.#fault('dependency', err)
          : this.#fail('pipeline', err),
      complete: () => {
        this.#pipelineDone = true;
        this.#notifySettled();
      },
    });
    const consumer = transport.createConsumer({
      groupId: this.groupId,
      topics: this.#topics,
      fromBeginning: input.fromBeginning ?? true,
      readCommitted: true,
      clientId: this.name,
    });
    this.#consumer = consumer;
    this.#rebalancing = false;
    const interval = this.#o.commitIntervalMs ?? (this.#eos ? 100 : 1000);
    this.#commitTimer = setInterval(() => void this.#commitSafely(), interval);
    // A consumer dropped by a recovery may still report (kafkajs emits while it stops): only the current one counts.
    const current = () => this.#consumer === consumer;
    await consumer.start({
      onBatch: (batch) => (current() ? this.#onBatch(batch) : undefined),
      onAssignment: (partitions) => {
        if (current()) this.#onAssignment(partitions);
      },
      onCrash: (err) => {
        if (current()) this.#fault('consumer', err);
      },
      onRetry: () => {
        if (current()) this.#troubled();
      },
      onRebalancing: () => {
        if (current()) this.#rebalancing = true;
      },
    });
  }

  // --- source side --------------------------------------------------------------------------------------------

  #onAssignment(partitions: readonly TopicPartition[]): void {
    this.#troubleSince = undefined; // the group answered again
    if (!this.#dependencyOutage) this.#outageSince = undefined;
    this.#rebalancing = false;
    // Positions restart at the committed offsets: forget queued records and the old generation's offsets.
    this.#committer.onAssignment();
    this.#ledger.newGeneration();
    this.#source.assign(partitions);
    this.#log.info(
      { partitions: partitions.map((p) => `${p.topic}[${p.partition}]`) },
      'partitions assigned',
    );
  }

  #onBatch(batch: RecordBatch): void {
    if (!this.#consuming()) return;
    this.#source.add(batch.records, this.#committer.firstUndecided(batch.topic, batch.partition));
    const last = batch.records[batch.records.length - 1];
    if (last) {
      this.#meter.lag(batch.topic, batch.partition, Math.max(0, batch.highWatermark - last.offset - 1));
    }
    this.#source.drain();
  }

  /** Batches are taken: while starting, running, and recovering (the new consumer's first batch may come first). */
  #consuming(): boolean {
    return this.#state === 'running' || this.#state === 'starting' || this.#state === 'recovering';
  }

  #hasRoom(): boolean {
    return this.#ledger.inFlight < this.#maxInFlight && this.#ledger.uncommitted < this.#maxUncommitted;
  }

  #emit(raw: RawRecord): void {
    const entry = this.#ledger.register(raw);
    this.#meter.recordIn(raw.topic);
    const settlement = new RecordSettlement(this as Stage<unknown>, entry, raw);
    const key = raw.key === null ? null : raw.key.toString('utf8');
    let decoded: V | Promise<V>;
    try {
      if (raw.value === null) throw new Error('record has no value (tombstone)');
      decoded = this.#o.input.serde.decode(raw.value);
    } catch (err) {
      this.#decodeFailed(settlement, err);
      return;
    }
    if (decoded instanceof Promise) {
      // An async decode (a schema fetched from the registry) holds the queue so per-partition order is kept.
      this.#decoding = true;
      decoded.then(
        (value) => {
          this.#decoding = false;
          this.#input.next(new Committable(value, key, raw.headers, raw, settlement));
          this.#notifySettled();
          this.#source.drain();
        },
        (err: unknown) => {
          this.#decoding = false;
          this.#decodeFailed(settlement, err);
          this.#notifySettled();
          this.#source.drain();
        },
      );
      return;
    }
    this.#input.next(new Committable(decoded, key, raw.headers, raw, settlement));
  }

  /** A record that cannot be decoded is dead-lettered at once: no retry can cure it. */
  #decodeFailed(settlement: RecordSettlement, err: unknown): void {
    const { raw } = settlement;
    this.#meter.error('decode');
    settlement.deadLetter(new DecodeError(raw.topic, raw.partition, raw.offset, err), 1);
  }

  // --- sink side ----------------------------------------------------------------------------------------------

  /** @internal Called by a record's settlement. */
  onDeliver(settlement: RecordSettlement, outputs: readonly OutboundRecord[]): void {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    for (const o of outputs) this.#meter.recordOut(o.topic);
    if (this.#eos) {
      this.#complete(settlement, outputs);
    } else if (outputs.length === 0) {
      this.#complete(settlement);
    } else {
      (this.#sends as SendQueue).enqueue(outputs, () => this.#complete(settlement));
    }
  }

  /** @internal Called by a record's settlement. */
  onDeadLetter(settlement: RecordSettlement, error: unknown, attempts: number): void {
    this.onDeliver(settlement, [this.#deadLetters.of(settlement.raw, error, attempts)]);
  }

  #complete(settlement: RecordSettlement, outputs?: readonly OutboundRecord[]): void {
    if (!this.#ledger.complete(settlement.entry, outputs)) return;
    this.#meter.processed((performance.now() - settlement.startedAt) / 1000);
    this.#notifySettled();
    if (this.#source.needsDrain) this.#source.drain();
  }

  #notifySettled(): void {
    if (this.#settleWaiters.length === 0) return;
    const waiters = this.#settleWaiters;
    this.#settleWaiters = [];
    for (const w of waiters) w();
  }

  // --- commits ------------------------------------------------------------------------------------------------

  /** Commits the contiguous settled prefix of every partition (in a transaction with its outputs, for exactly-once). */
  async commit(): Promise<void> {
    while (this.#committing) await this.#committing;
    this.#committing = this.#committer.commit().then((partitions) => {
      if (partitions > 0) this.#afterCommit(partitions);
    });
    try {
      await this.#committing;
    } finally {
      this.#committing = undefined;
    }
  }

  #afterCommit(partitions: number): void {
    this.#lastCommitAt = new Date();
    this.#troubleSince = undefined;
    this.#outageSince = undefined;
    this.#dependencyOutage = false;
    if (this.#source.needsDrain) setImmediate(() => this.#source.drain());
    this.#meter.committed();
    this.#log.debug({ partitions }, 'committed');
  }

  async #commitSafely(): Promise<void> {
    if (this.#state !== 'running' || this.#committing || this.#rebalancing) return;
    try {
      await this.commit();
    } catch (err) {
      if (this.#eos) {
        this.#fault('commit', err);
      } else {
        // Offsets stay pending and are committed with the next attempt; a rebalance in progress ends up here.
        this.#troubled();
        this.#meter.error('commit');
        this.#log.warn(
          { error: err instanceof Error ? err.message : String(err) },
          'offset commit failed; will retry',
        );
      }
    }
  }

  // --- lifecycle ----------------------------------------------------------------------------------------------

  /**
   * Graceful shutdown: stops fetching, lets the records in flight finish (up to `timeoutMs`), commits what is done,
   * leaves the group and disconnects. Records not finished in time are not committed and will be redelivered.
   */
  async stop(options: { timeoutMs?: number } = {}): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    if (this.#state === 'created') {
      // Never started: nothing to drain, commit or disconnect.
      this.#state = 'stopped';
      this.#resolveDone();
      return;
    }
    if (this.#state === 'stopping') {
      await this.done.catch(() => {});
      return;
    }
    const wasRecovering = this.#state === 'recovering';
    this.#state = 'stopping';
    if (wasRecovering) await this.#recovering; // it sees 'stopping' and gives up; nothing is in flight
    const timeoutMs = options.timeoutMs ?? this.#o.shutdownTimeoutMs ?? 30_000;
    this.#log.info({ inFlight: this.#ledger.inFlight, timeoutMs }, 'stopping');
    this.#source.stopFetching();
    // A record being decoded asynchronously is already registered: let it enter the pipeline before closing it.
    await this.#waitUntil(() => !this.#decoding, timeoutMs);
    this.#input.complete();
    const drained = await this.#waitUntil(() => this.#ledger.inFlight === 0 && this.#pipelineDone, timeoutMs);
    if (!drained)
      this.#log.warn(
        { inFlight: this.#ledger.inFlight },
        'shutdown deadline passed; unfinished records will be redelivered',
      );
    if (this.#commitTimer) clearInterval(this.#commitTimer);
    try {
      await this.commit();
    } catch (err) {
      this.#log.error({ error: err instanceof Error ? err.message : String(err) }, 'final commit failed');
    }
    await this.#disconnect();
    this.#state = 'stopped';
    this.#log.info('stopped');
    this.#resolveDone();
  }

  /**
   * Tears the stage down at once without committing anything more, as a crash would: records not yet committed
   * are redelivered to the group. Meant for tests and for giving up after a fatal error.
   */
  async abort(): Promise<void> {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    this.#state = 'stopped';
    await this.#teardown();
    this.#resolveDone();
  }

  async #teardown(): Promise<void> {
    if (this.#commitTimer) clearInterval(this.#commitTimer);
    this.#pipeline?.unsubscribe();
    this.#source.clear();
    await this.#disconnect();
  }

  async #disconnect(): Promise<void> {
    await Promise.allSettled([this.#consumer?.stop(), this.#producer?.disconnect()]);
  }

  /**
   * A commit, a send or the consumer failed. Unless the producer was fenced or the outage has lasted past
   * `outageLimitMs`, the stage drops what it has not committed and consumes again from its committed offsets once
   * the broker answers (as a restarted process would, without restarting it).
   */
  #fault(kind: string, err: unknown): void {
    if (this.#state !== 'running') return;
    this.#troubled();
    this.#outageSince ??= Date.now();
    this.#dependencyOutage = kind === 'dependency';
    if (isFencedError(err) || !this.#withinOutageLimit()) {
      this.#fail(kind, err);
      return;
    }
    this.#meter.error(kind);
    this.#state = 'recovering';
    this.#log.warn(
      { kind, error: err instanceof Error ? err.message : String(err) },
      'broker trouble; consuming again from the committed offsets once it answers',
    );
    this.#recovering = this.#recover(kind);
  }

  /** Something failed that a retry may get past: unready from now until the broker answers again. */
  #troubled(): void {
    this.#troubleSince ??= Date.now();
  }

  #withinOutageLimit(): boolean {
    const limit = this.#o.outageLimitMs ?? 300_000;
    return limit > 0 && Date.now() - (this.#outageSince ?? Date.now()) < limit;
  }

  async #recover(kind: string): Promise<void> {
    if (this.#commitTimer) clearInterval(this.#commitTimer);
    this.#pipeline?.unsubscribe();
    await Promise.allSettled([this.#consumer?.stop()]);
    this.#consumer = undefined;
    this.#source.reset();
    this.#ledger.abandon(); // the dropped records come again from the committed offsets
    await retryWithBackoff(
      RECONNECT_BACKOFF,
      async (attempt) => {
        if (this.#state !== 'recovering') return; // stopped while waiting
        // The transaction a failed commit left must be finished before the group hands out its offsets again:
        // otherwise they are read before that commit's markers and its records are decided twice.
        await this.#producer?.recover?.();
        await this.#connectSource();
        if (this.#state !== 'recovering') return;
        this.#state = 'running';
        this.#log.info({ attempt }, 'consuming again after broker trouble');
      },
      async (err) => {
        if (this.#commitTimer) clearInterval(this.#commitTimer);
        this.#pipeline?.unsubscribe();
        await Promise.allSettled([(this.#consumer as TransportConsumer | undefined)?.stop()]);
        if (!this.#withinOutageLimit()) {
          this.#state = 'running'; // #fail ends a running stage
          this.#fail(kind, err);
          throw err;
        }
      },
    ).catch(() => {}); // the only way out with an error: the outage limit passed, and the stage has failed
  }

  #fail(kind: string, err: unknown): void {
    if (this.#state === 'stopped' || this.#state === 'failed') return;
    const error = new StageFailedError(this.name, err);
    this.#error = error;
    this.#state = 'failed';
    this.#meter.error(kind);
    this.#log.error({ kind, error: error.message }, 'stage failed');
    void this.#teardown().finally(() => this.#rejectDone(error));
  }

  #waitUntil(condition: () => boolean, timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    return new Promise((resolve) => {
      const check = () => {
        if (condition()) return resolve(true);
        const left = deadline - Date.now();
        if (left <= 0) return resolve(false);
        const timer = setTimeout(check, Math.min(left, 200));
        this.#settleWaiters.push(() => {
          clearTimeout(timer);
          check();
        });
      };
      check();
    });
  }

  health(): StageHealth {
    return {
      stage: this.name,
      state: this.#state,
      live: this.#state !== 'failed',
      ready: this.#state === 'running' && this.#troubleSince === undefined && this.#outageSince === undefined,
      inFlight: this.#ledger.inFlight,
      uncommitted: this.#ledger.uncommitted,
      queued: this.#source.queued,
      paused: this.#source.paused,
      assignedPartitions: this.#source.assigned.length,
      lastCommitAt: this.#lastCommitAt?.toISOString() ?? null,
      error: this.#error?.message ?? null,
    };
  }
}

/**
 * Defines a stage: records from `input.topics`, decoded with `input.serde`, flow through `process` — plain RxJS —
 * and what it emits is produced, then the consumed offsets are committed. Call `start()` to run it.
 *
 * ## Example
 * ```ts
 * const stage = createStage({
 *   name: 'enrich-orders',
 *   transport,
 *   input: { topics: 'orders', serde: jsonSerde<Order>() },
 *   process: (orders) =>
 *     orders.pipe(
 *       filterRecords((o) => o.total > 0),
 *       concurrentMapByKey((o) => enrich(o.value), { concurrency: 16 }),
 *       toTopic('orders-enriched', jsonSerde<EnrichedOrder>()),
 *     ),
 * });
 * await stage.start();
 * ```
 */
export function createStage<V>(options: StageOptions<V>): Stage<V> {
  return new Stage(options);
}
