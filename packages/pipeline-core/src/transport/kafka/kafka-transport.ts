import kafkajs, {
  type Consumer,
  type KafkaConfig,
  type logLevel as KafkaLogLevel,
  type Producer,
  type Transaction,
} from 'kafkajs';
import type { OutboundRecord, RawRecord } from '../../record.js';
import {
  committedFrom,
  decodeHeaders,
  messagesByTopic,
  offsetsByTopic,
  partitionsByTopic,
  topicCreations,
} from '../kafka-shapes.js';
import { ReplaceableProducer } from '../replaceable-producer.js';
import { requestChunks } from '../request-chunks.js';
import { waitForTopics } from '../wait-for-topics.js';

// kafkajs is CommonJS and builds part of its exports with a spread, which Node's ESM loader cannot see as named
// exports (KafkaJSProtocolError among them); take them from the default export.
const { Kafka, KafkaJSNonRetriableError, KafkaJSProtocolError, Partitioners, logLevel } = kafkajs;
type Kafka = InstanceType<typeof Kafka>;

import type {
  ConsumerHandlers,
  ConsumerOptions,
  ProducerOptions,
  TopicPartition,
  TopicPartitionOffset,
  TopicSpec,
  Transport,
  TransportConsumer,
  TransportProducer,
  TransportTransaction,
} from '../types.js';

export interface KafkaTransportOptions {
  brokers: readonly string[];
  clientId?: string;
  /** kafkajs's own log level (default WARN); its logs go to the console. */
  logLevel?: KafkaLogLevel;
  /** Further kafkajs settings (ssl, sasl, retry, ...). */
  kafka?: Omit<KafkaConfig, 'brokers' | 'clientId' | 'logLevel'>;
  /** Consumer session timeout, ms (default 30,000). */
  sessionTimeoutMs?: number;
  /** Bytes per partition per fetch (default 1 MiB): with the in-flight bound, this bounds a stage's memory. */
  maxBytesPerPartition?: number;
  /**
   * Longest a fetch waits for data, ms (default 100). kafkajs also sleeps this long whenever every assigned
   * partition is paused, so it bounds how long backpressure keeps a stage idle after it resumes; kafkajs's own
   * default of 5,000 ms made a paused stage stall for seconds.
   */
  maxWaitTimeMs?: number;
}

class KafkaConsumer implements TransportConsumer {
  readonly groupId: string;
  readonly #consumer: Consumer;
  /** Set by stop(): kafkajs must not restart this consumer after a crash, nor keep it in the group. */
  #stopped = false;

  constructor(
    kafka: Kafka,
    private readonly options: ConsumerOptions,
    transportOptions: KafkaTransportOptions,
  ) {
    this.groupId = options.groupId;
    this.#consumer = kafka.consumer({
      groupId: options.groupId,
      readUncommitted: options.readCommitted === false,
      sessionTimeout: transportOptions.sessionTimeoutMs ?? 30_000,
      heartbeatInterval: Math.min(3000, Math.floor((transportOptions.sessionTimeoutMs ?? 30_000) / 3)),
      maxBytesPerPartition: transportOptions.maxBytesPerPartition ?? 1_048_576,
      maxWaitTimeInMs: transportOptions.maxWaitTimeMs ?? 100,
      allowAutoTopicCreation: false,
      // kafkajs restarts a crashed consumer on a timer, even one stopped meanwhile (a stage recovering from a broker
      // outage stops its consumer while the crash is handled): that zombie rejoined the group, held partitions and
      // fetched them for nobody, so the stage's new consumer never got them (issue 15, defect 8).
      retry: { retries: 5, restartOnFailure: async () => !this.#stopped },
    });
  }

  async start(handlers: ConsumerHandlers): Promise<void> {
    const consumer = this.#consumer;
    consumer.on(consumer.events.GROUP_JOIN, (event) => {
      if (this.#stopped) {
        void consumer.disconnect().catch(() => {}); // restarted before stop() could prevent it
        return;
      }
      const assignment = event.payload.memberAssignment as Record<string, number[]>;
      handlers.onAssignment(
        Object.entries(assignment).flatMap(([topic, partitions]) =>
          partitions.map((partition) => ({ topic, partition })),
        ),
      );
    });
    consumer.on(consumer.events.REBALANCING, () => handlers.onRebalancing?.());
    consumer.on(consumer.events.CRASH, (event) => {
      // kafkajs restarts the consumer itself after retriable crashes (a rejoin follows, with a new assignment).
      if (event.payload.restart) handlers.onRetry?.(event.payload.error);
      else handlers.onCrash(event.payload.error);
    });
    await consumer.connect();
    await consumer.subscribe({
      topics: [...this.options.topics],
      fromBeginning: this.options.fromBeginning ?? true,
    });
    await consumer.run({
      autoCommit: false,
      // Offsets are resolved when a batch is handed over, so the next fetch moves on; commits are ours.
      eachBatchAutoResolve: true,
      eachBatch: async ({ batch }) => {
        const records: RawRecord[] = batch.messages.map((m) => ({
          topic: batch.topic,
          partition: batch.partition,
          offset: Number(m.offset),
          timestamp: Number(m.timestamp),
          key: m.key,
          value: m.value,
          headers: decodeHeaders(m.headers),
        }));
        if (records.length === 0) return;
        await handlers.onBatch({
          topic: batch.topic,
          partition: batch.partition,
          records,
          highWatermark: Number(batch.highWatermark),
        });
      },
    });
  }

  pause(partitions: readonly TopicPartition[]): void {
    this.#betweenRuns(() => this.#consumer.pause(partitionsByTopic(partitions)), partitions);
  }

  resume(partitions: readonly TopicPartition[]): void {
    this.#betweenRuns(() => this.#consumer.resume(partitionsByTopic(partitions)), partitions);
  }

  /**
   * Between a crash and its restart kafkajs has no consumer group and throws on pause and resume; the restarted
   * group starts unpaused and an assignment follows, so there is nothing to do then.
   */
  #betweenRuns(change: () => void, partitions: readonly TopicPartition[]): void {
    if (partitions.length === 0) return;
    try {
      change();
    } catch (err) {
      if (!(err instanceof KafkaJSNonRetriableError && /not initialized/.test(err.message))) throw err;
    }
  }

  async commit(offsets: readonly TopicPartitionOffset[]): Promise<void> {
    if (offsets.length === 0) return;
    await this.#consumer.commitOffsets(
      offsets.map((o) => ({ topic: o.topic, partition: o.partition, offset: String(o.offset) })),
    );
  }

  async stop(): Promise<void> {
    this.#stopped = true;
    await this.#consumer.disconnect();
  }
}

/** kafkajs sends AddOffsetsToTxn without retrying CONCURRENT_TRANSACTIONS (tulios/kafkajs#1068); we retry it. */
async function withConcurrentTransactionsRetry<T>(work: () => Promise<T>, attempts = 10): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await work();
    } catch (err) {
      const concurrent =
        err instanceof KafkaJSProtocolError && (err as { type?: string }).type === 'CONCURRENT_TRANSACTIONS';
      if (!concurrent || attempt >= attempts) throw err;
      await new Promise((r) => setTimeout(r, 20 * attempt));
    }
  }
}

/** How long a transaction may stay open unless the producer says otherwise. */
const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;

/**
 * A producer over kafkajs. A transactional one recovers from a failed commit or abort (issue 15, defect 1): kafkajs
 * does not retry EndTxn and leaves its state machine in COMMITTING / ABORTING, refusing every later transaction. The
 * next `transaction()` then starts on a fresh kafkajs producer with the same transactional id; its InitProducerId
 * bumps the epoch, so the coordinator first finishes or aborts what the failed one left open (fencing it).
 */
class KafkaProducer implements TransportProducer {
  readonly #kafka: Kafka;
  readonly #options: ProducerOptions;
  /** A send, commit or abort failed: the kafkajs producer must be replaced before the next send or transaction. */
  readonly #producer: ReplaceableProducer<Producer>;

  constructor(kafka: Kafka, options: ProducerOptions) {
    this.#kafka = kafka;
    this.#options = options;
    this.#producer = new ReplaceableProducer(
      () => this.#create(),
      (producer) => producer.connect(),
    );
  }

  #create(): Producer {
    const { transactionalId, transactionTimeoutMs } = this.#options;
    return this.#kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      createPartitioner: Partitioners.DefaultPartitioner,
      allowAutoTopicCreation: false,
      ...(transactionalId
        ? { transactionalId, transactionTimeout: transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS }
        : {}),
    });
  }

  /**
   * Replaces a producer whose transaction state kafkajs cannot leave; throws (and stays broken) while the broker is
   * away. The new producer's InitProducerId is answered only once the coordinator finished the old transaction.
   */
  async recover(): Promise<void> {
    await this.#producer.replaceIfBroken();
  }

  async connect(): Promise<void> {
    await this.#producer.client.connect();
  }

  /**
   * A failed send leaves the idempotent producer's sequence numbers behind the broker's: after a broker restart every
   * later send was refused with OUT_OF_ORDER_SEQUENCE_NUMBER, and an at-least-once stage recovered in a loop without
   * producing again (ADR 0160). The next send (or `recover()`) starts on a new producer id, as Java's producer does.
   */
  async send(records: readonly OutboundRecord[]): Promise<void> {
    const producer = await this.#producer.replaceIfBroken();
    await this.#producer.markingBroken(async () => {
      for (const chunk of requestChunks(records)) {
        await producer.sendBatch({ topicMessages: messagesByTopic(chunk), acks: -1 });
      }
    });
  }

  async transaction(): Promise<TransportTransaction> {
    const producer = await this.#producer.replaceIfBroken();
    const txn: Transaction = await producer.transaction();
    return {
      send: async (records) => {
        for (const chunk of requestChunks(records)) {
          await txn.sendBatch({ topicMessages: messagesByTopic(chunk), acks: -1 });
        }
      },
      sendOffsets: async (groupId, offsets) => {
        if (offsets.length === 0) return;
        await withConcurrentTransactionsRetry(() =>
          txn.sendOffsets({ consumerGroupId: groupId, topics: offsetsByTopic(offsets) }),
        );
      },
      commit: () => this.#producer.markingBroken(() => txn.commit()),
      abort: () => this.#producer.markingBroken(() => txn.abort()),
    };
  }

  async disconnect(): Promise<void> {
    await this.#producer.client.disconnect();
  }
}

/** The Kafka transport, over kafkajs. One instance per process; stages share its connections' settings. */
export function kafkaTransport(options: KafkaTransportOptions): Transport & { kafka: Kafka } {
  const kafka = new Kafka({
    ...options.kafka,
    brokers: [...options.brokers],
    clientId: options.clientId ?? 'pipeline',
    logLevel: options.logLevel ?? logLevel.WARN,
  });
  const admin = kafka.admin();
  let adminConnected: Promise<void> | undefined;
  const connectedAdmin = async () => {
    adminConnected ??= admin.connect();
    await adminConnected;
    return admin;
  };
  return {
    kind: 'kafka',
    kafka,
    createConsumer: (consumerOptions) => new KafkaConsumer(kafka, consumerOptions, options),
    createProducer: (producerOptions = {}) => new KafkaProducer(kafka, producerOptions),
    ensureTopics: async (topics: readonly TopicSpec[]) => {
      const a = await connectedAdmin();
      const existing = new Set(await a.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      // Topics another runner created a moment ago may have no leader yet (issue 15, defect 9): wait for them too.
      if (missing.length === 0) {
        await waitForTopics(
          a,
          topics.map((t) => t.topic),
        );
        return;
      }
      try {
        await a.createTopics({
          waitForLeaders: true,
          topics: topicCreations(missing),
        });
      } catch (err) {
        // Waiting for the leaders of many new topics, kafkajs gives up on the first UNKNOWN_TOPIC_OR_PARTITION the
        // broker answers while it is still creating them; the topics exist, so wait for their metadata ourselves.
        const unknown =
          err instanceof KafkaJSProtocolError &&
          (err as { type?: string }).type === 'UNKNOWN_TOPIC_OR_PARTITION';
        if (!unknown) throw err;
        await waitForTopics(
          a,
          missing.map((t) => t.topic),
        );
      }
    },
    committedOffsets: async (groupId, topic) => {
      const a = await connectedAdmin();
      const [result] = await a.fetchOffsets({ groupId, topics: [topic] });
      return committedFrom(result);
    },
    close: async () => {
      if (adminConnected) await admin.disconnect();
    },
  };
}
