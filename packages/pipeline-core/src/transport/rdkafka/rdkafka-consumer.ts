import type { RawRecord } from '../../record.js';
import { decodeHeaders } from '../kafka-shapes.js';
import type {
  ConsumerHandlers,
  ConsumerOptions,
  TopicPartition,
  TopicPartitionOffset,
  TransportConsumer,
} from '../types.js';
import {
  eventErrorCode,
  type RdkafkaBatch,
  RdkafkaCodes,
  type RdkafkaConsumer,
  type RdkafkaError,
  type RdkafkaKafka,
  type RdkafkaTopicPartition,
} from './rdkafka-client.js';

/** librdkafka's rebalance codes (rd_kafka_resp_err_t). */
const ASSIGN_PARTITIONS = -175;
/** librdkafka errors that mean "the broker is away; reconnecting by itself". */
const TRANSPORT_ERRORS = new Set<number>([
  RdkafkaCodes.TRANSPORT,
  RdkafkaCodes.ALL_BROKERS_DOWN,
  RdkafkaCodes.TIMED_OUT,
]);

export interface RdkafkaConsumerSettings {
  sessionTimeoutMs: number;
  maxBytesPerPartition: number;
  maxWaitTimeMs: number;
  /** Records per delivered batch (librdkafka's client-side batches; `js.consumer.max.batch.size`). */
  maxBatchSize: number;
}

const tpKey = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const topicPartition = ({ topic, partition }: TopicPartition): RdkafkaTopicPartition => ({
  topic,
  partition,
});

/**
 * A consumer group member over librdkafka's KafkaJS-compatible consumer, with the semantics of types.ts: offsets
 * committed only by `commit`, every assignment starting at the committed offsets (eager rebalancing: all partitions
 * are revoked, then assigned), and a partition that stays assigned across a rebalance keeps its pause, as on the
 * memory transport (librdkafka itself forgets it on assignment).
 */
export class RdkafkaTransportConsumer implements TransportConsumer {
  readonly groupId: string;
  readonly #kafka: RdkafkaKafka;
  readonly #options: ConsumerOptions;
  readonly #settings: RdkafkaConsumerSettings;
  readonly #onStop: (consumer: RdkafkaTransportConsumer) => void;
  #consumer: RdkafkaConsumer | undefined;
  #handlers: ConsumerHandlers | undefined;
  #paused = new Set<string>();
  #assigned = new Set<string>();
  /** Per partition, the offset after the last one handed over since the assignment. */
  #next = new Map<string, number>();
  /** Records of paused partitions that librdkafka had already handed to its KafkaJS layer. */
  #held = new Map<
    string,
    { topic: string; partition: number; highWatermark: string; records: RawRecord[] }
  >();
  #stopped = false;

  constructor(
    kafka: RdkafkaKafka,
    options: ConsumerOptions,
    settings: RdkafkaConsumerSettings,
    onStop: (consumer: RdkafkaTransportConsumer) => void,
  ) {
    this.groupId = options.groupId;
    this.#kafka = kafka;
    this.#options = options;
    this.#settings = settings;
    this.#onStop = onStop;
  }

  /** The underlying client, while started: a transactional producer sends its group metadata with the offsets. */
  get client(): RdkafkaConsumer | undefined {
    return this.#consumer;
  }

  /** Whether the group currently assigns this member every one of these partitions. */
  owns(partitions: readonly TopicPartition[]): boolean {
    return partitions.every((p) => this.#assigned.has(tpKey(p.topic, p.partition)));
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    this.#handlers = handlers;
    const { sessionTimeoutMs, maxBytesPerPartition, maxWaitTimeMs, maxBatchSize } = this.#settings;
    const consumer = this.#kafka.consumer({
      'group.id': this.#options.groupId,
      ...(this.#options.clientId ? { 'client.id': this.#options.clientId } : {}),
      'enable.auto.commit': false,
      'auto.offset.reset': (this.#options.fromBeginning ?? true) ? 'earliest' : 'latest',
      'isolation.level': this.#options.readCommitted === false ? 'read_uncommitted' : 'read_committed',
      'session.timeout.ms': sessionTimeoutMs,
      'heartbeat.interval.ms': Math.min(3000, Math.floor(sessionTimeoutMs / 3)),
      'max.partition.fetch.bytes': maxBytesPerPartition,
      'fetch.wait.max.ms': maxWaitTimeMs,
      'allow.auto.create.topics': false,
      'partition.assignment.strategy': 'roundrobin',
      'js.consumer.max.batch.size': this.#options.maxBatchSize ?? maxBatchSize,
      rebalance_cb: (
        err: RdkafkaError,
        assignment: RdkafkaTopicPartition[],
        fns: { assign(a: RdkafkaTopicPartition[]): void; unassign(a: RdkafkaTopicPartition[]): void },
      ) => this.#rebalance(err, assignment, fns),
    });
    this.#consumer = consumer;
    await consumer.connect();
    // The underlying client exists once connected.
    consumer._getInternalClient().on('event.error', (error) => this.#error(error));
    await consumer.subscribe({ topics: [...this.#options.topics] });
    await consumer.run({
      // Offsets are resolved when a batch is handed over, so the next fetch moves on; commits are ours.
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const key = tpKey(batch.topic, batch.partition);
        const records = this.#fresh(key, batch);
        const last = records[records.length - 1];
        if (!last) return;
        this.#next.set(key, last.offset + 1);
        const held = this.#held.get(key);
        if (this.#paused.has(key) || held) {
          // Taken from librdkafka before the pause took effect: kept, in order, until the partition is resumed.
          this.#held.set(key, { ...batch, records: [...(held?.records ?? []), ...records] });
          if (!this.#paused.has(key)) this.#release(key);
          return;
        }
        await this.#handlers?.onBatch({
          topic: batch.topic,
          partition: batch.partition,
          records,
          highWatermark: Number(batch.highWatermark),
        });
      },
    });
  }

  /**
   * The batch's records not handed over yet since the assignment: librdkafka's KafkaJS layer may fetch a batch
   * again (it seeks back when a partition is paused or a handler fails), and each offset is delivered once.
   */
  #fresh(key: string, batch: RdkafkaBatch): RawRecord[] {
    const next = this.#next.get(key) ?? -1;
    const records: RawRecord[] = [];
    for (const m of batch.messages) {
      const offset = Number(m.offset);
      if (offset < next) continue;
      records.push({
        topic: batch.topic,
        partition: batch.partition,
        offset,
        timestamp: Number(m.timestamp),
        key: m.key,
        value: m.value,
        headers: decodeHeaders(m.headers),
      });
    }
    return records;
  }

  /** Hands over the records held for a resumed partition, before anything fetched after the resume. */
  #release(key: string): void {
    const held = this.#held.get(key);
    if (!held || this.#paused.has(key)) return;
    this.#held.delete(key);
    void this.#handlers?.onBatch({
      topic: held.topic,
      partition: held.partition,
      records: held.records,
      highWatermark: Number(held.highWatermark),
    });
  }

  #rebalance(
    err: RdkafkaError,
    assignment: RdkafkaTopicPartition[],
    fns: { assign(a: RdkafkaTopicPartition[]): void; unassign(a: RdkafkaTopicPartition[]): void },
  ): void {
    if (err.code !== ASSIGN_PARTITIONS) {
      fns.unassign(assignment);
      this.#assigned.clear();
      if (!this.#stopped) this.#handlers?.onRebalancing?.();
      return;
    }
    fns.assign(assignment);
    this.#next.clear();
    this.#held.clear();
    this.#assigned = new Set(assignment.map((p) => tpKey(p.topic, p.partition)));
    this.#paused = new Set([...this.#paused].filter((k) => this.#assigned.has(k)));
    const client = this.#consumer?._getInternalClient();
    const keep = assignment.filter((p) => this.#paused.has(tpKey(p.topic, p.partition)));
    const free = assignment.filter((p) => !this.#paused.has(tpKey(p.topic, p.partition)));
    if (keep.length > 0) client?.pause(keep);
    if (free.length > 0) client?.resume(free);
    if (!this.#stopped)
      this.#handlers?.onAssignment(assignment.map(({ topic, partition }) => ({ topic, partition })));
  }

  #error(error: RdkafkaError): void {
    if (this.#stopped) return;
    const code = eventErrorCode(error);
    if (error.fatal || code === RdkafkaCodes.FATAL) this.#handlers?.onCrash(error);
    else if (code !== undefined && TRANSPORT_ERRORS.has(code)) this.#handlers?.onRetry?.(error);
  }

  /**
   * Pauses at librdkafka directly (its KafkaJS layer's pause drops the records it has cached for the partition and
   * seeks back only where it delivered some, which lost records here); what that layer still hands over is held.
   */
  pause(partitions: readonly TopicPartition[]): void {
    const owned = partitions.filter((p) => this.#assigned.has(tpKey(p.topic, p.partition)));
    for (const p of owned) this.#paused.add(tpKey(p.topic, p.partition));
    if (owned.length > 0) this.#consumer?._getInternalClient().pause(owned.map(topicPartition));
  }

  resume(partitions: readonly TopicPartition[]): void {
    for (const p of partitions) this.#paused.delete(tpKey(p.topic, p.partition));
    const owned = partitions.filter((p) => this.#assigned.has(tpKey(p.topic, p.partition)));
    if (owned.length === 0) return;
    this.#consumer?._getInternalClient().resume(owned.map(topicPartition));
    // After the caller's own work, but before any I/O can bring a newer batch of these partitions.
    queueMicrotask(() => {
      for (const p of owned) this.#release(tpKey(p.topic, p.partition));
    });
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    if (!this.#consumer) throw new Error(`consumer of group ${this.groupId} is not started`);
    await this.#consumer.commitOffsets(
      offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
    );
  }

  async stop(): Promise<void> {
    if (this.#stopped) return;
    this.#stopped = true;
    this.#onStop(this);
    await this.#consumer?.disconnect();
  }
}
