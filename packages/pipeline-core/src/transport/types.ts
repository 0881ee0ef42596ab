import type { OutboundRecord, RawRecord } from '../record.js';

/**
 * What a stage needs from a message broker. Three implementations have the same observable behaviour — `kafka`
 * (kafkajs), `librdkafka` (@confluentinc/kafka-javascript, ADR 0142) and `memory` (in-process) — and one contract
 * suite runs against each.
 */
export interface Transport {
  /** `kafka` (kafkajs), `librdkafka`, `memory` */
  readonly kind: string;
  createConsumer(options: ConsumerOptions): TransportConsumer;
  createProducer(options?: ProducerOptions): TransportProducer;
  /** Creates topics that do not exist yet; existing ones are left as they are. */
  ensureTopics(topics: readonly TopicSpec[]): Promise<void>;
  /** The committed offsets of a consumer group (next offset to read), per partition of each topic. */
  committedOffsets(groupId: string, topic: string): Promise<Map<number, number>>;
  /** Releases connections the transport holds for admin work. */
  close(): Promise<void>;
}

export interface TopicSpec {
  topic: string;
  partitions: number;
  replicationFactor?: number;
  /**
   * Topic-level settings given at creation, e.g. `{ 'cleanup.policy': 'compact' }`. The memory transport keeps every
   * record of every topic and ignores them.
   */
  config?: Readonly<Record<string, string>>;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

export interface TopicPartitionOffset extends TopicPartition {
  /** The next offset to read: one past the last finished record. */
  offset: number;
}

export interface ConsumerOptions {
  groupId: string;
  topics: readonly string[];
  /** Where a group with no committed offset starts: the earliest record (the default) or new records only. */
  fromBeginning?: boolean;
  /** Read only committed transactional records (the default, Kafka's read_committed). */
  readCommitted?: boolean;
  /** Upper bound of records per delivered batch (memory transport; Kafka batches by bytes). */
  maxBatchSize?: number;
  clientId?: string;
}

/** A run of consecutive records of one partition, as fetched. */
export interface RecordBatch {
  topic: string;
  partition: number;
  records: readonly RawRecord[];
  /** Offset of the next record the partition will get, when the batch was fetched (for lag). */
  highWatermark: number;
}

export interface ConsumerHandlers {
  /** A batch arrived. The consumer fetches more while the handler's promise is pending; use pause() to stop it. */
  onBatch(batch: RecordBatch): void | Promise<void>;
  /**
   * The group (re)assigned partitions to this member. Every assignment starts each partition at its committed
   * offset, so records delivered before it and not yet committed will come again. A partition paused before it
   * stays paused if it stays assigned (as in kafkajs).
   */
  onAssignment(partitions: readonly TopicPartition[]): void;
  /** The consumer crashed and will not deliver more. */
  onCrash(error: Error): void;
  /** The consumer lost the broker and is reconnecting by itself (an assignment follows when it is back). */
  onRetry?(error: Error): void;
  /** The group is rebalancing: partitions may move; an assignment follows. */
  onRebalancing?(): void;
}

export interface TransportConsumer {
  readonly groupId: string;
  /** Joins the group and starts fetching; resolves once running. */
  start(handlers: ConsumerHandlers): Promise<void>;
  /** Stops fetching these partitions; batches already fetched for them are not delivered. */
  pause(partitions: readonly TopicPartition[]): void;
  resume(partitions: readonly TopicPartition[]): void;
  /** Commits the next offset to read, per partition. */
  commit(offsets: readonly TopicPartitionOffset[]): Promise<void>;
  /** Leaves the group and disconnects; uncommitted records will be redelivered to the group. */
  stop(): Promise<void>;
}

export interface ProducerOptions {
  /** Enables transactions; the id must be stable across restarts of the same stage instance (it fences zombies). */
  transactionalId?: string;
  clientId?: string;
  /**
   * Longest a transaction may stay open before the broker aborts it (default 60,000 ms; at most the broker's
   * `transaction.max.timeout.ms`, 900,000 by default). The memory transport has no timeout.
   */
  transactionTimeoutMs?: number;
}

export interface TransportProducer {
  connect(): Promise<void>;
  /** Produces records and resolves once the broker acknowledged all of them (acks=all). */
  send(records: readonly OutboundRecord[]): Promise<void>;
  /** Begins a transaction (needs a transactionalId). */
  transaction(): Promise<TransportTransaction>;
  /**
   * After a failed send, commit or abort: makes the producer usable again and resolves once the transaction it left is
   * finished at the broker (committed or aborted), so offsets read afterwards are stable. Nothing to do otherwise.
   */
  recover?(): Promise<void>;
  disconnect(): Promise<void>;
}

/** One Kafka transaction: produced records and consumed offsets become visible together, or not at all. */
export interface TransportTransaction {
  send(records: readonly OutboundRecord[]): Promise<void>;
  sendOffsets(groupId: string, offsets: readonly TopicPartitionOffset[]): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}
