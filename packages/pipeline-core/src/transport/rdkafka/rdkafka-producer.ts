import type { OutboundRecord } from '../../record.js';
import { messagesByTopic, offsetsByTopic } from '../kafka-shapes.js';
import { ProducerFencedError } from '../memory/broker.js';
import { ReplaceableProducer } from '../replaceable-producer.js';
import type {
  ProducerOptions,
  TopicPartitionOffset,
  TransportProducer,
  TransportTransaction,
} from '../types.js';
import type { RdkafkaConsumer, RdkafkaError, RdkafkaKafka, RdkafkaProducer } from './rdkafka-client.js';

/** How long a transaction may stay open unless the producer says otherwise (as on kafkajs). */
const DEFAULT_TRANSACTION_TIMEOUT_MS = 60_000;
/** Records per sendBatch call: under librdkafka's local queue bound (`queue.buffering.max.messages`, 100,000). */
const MAX_RECORDS_PER_SEND = 50_000;
/** librdkafka's codes for a producer another one with its transactional id has fenced (rd_kafka_resp_err_t). */
const FENCED_CODES = new Set([-144 /* _FENCED */, 90 /* PRODUCER_FENCED */, 47 /* INVALID_PRODUCER_EPOCH */]);

/** Finds, for a transactional producer, the started consumer of a group that owns the offsets' partitions. */
export type GroupConsumerLookup = (
  groupId: string,
  offsets: readonly TopicPartitionOffset[],
) => RdkafkaConsumer;

/** Runs a client call; a fenced producer's error becomes the ProducerFencedError every transport throws. */
async function translating<T>(transactionalId: string | undefined, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const code = (err as RdkafkaError | undefined)?.code;
    if (code === undefined || !FENCED_CODES.has(code)) throw err;
    throw Object.assign(new ProducerFencedError(transactionalId ?? '(none)'), { cause: err });
  }
}

function chunks(records: readonly OutboundRecord[]): OutboundRecord[][] {
  const out: OutboundRecord[][] = [];
  for (let i = 0; i < records.length; i += MAX_RECORDS_PER_SEND)
    out.push(records.slice(i, i + MAX_RECORDS_PER_SEND));
  return out;
}

/**
 * An idempotent producer over librdkafka (acks=all, Kafka's murmur2 partitioner as kafkajs and Java use). A
 * transactional one sends consumed offsets with the consumer's group metadata (KIP-447), so the group coordinator
 * fences a zombie whose member left the group. After a failed commit or abort (a fatal error, or one librdkafka
 * stopped retrying) the next transaction starts on a fresh client with the same transactional id: its
 * InitProducerId bumps the epoch, which fences the old one and finishes what it left open.
 */
export class RdkafkaTransportProducer implements TransportProducer {
  readonly #kafka: RdkafkaKafka;
  readonly #options: ProducerOptions;
  readonly #consumerFor: GroupConsumerLookup;
  readonly #producer: ReplaceableProducer<RdkafkaProducer>;

  constructor(kafka: RdkafkaKafka, options: ProducerOptions, consumerFor: GroupConsumerLookup) {
    this.#kafka = kafka;
    this.#options = options;
    this.#consumerFor = consumerFor;
    this.#producer = new ReplaceableProducer(
      () => this.#create(),
      (producer) => this.#guard(() => producer.connect()),
    );
  }

  #create(): RdkafkaProducer {
    const { transactionalId, transactionTimeoutMs, clientId } = this.#options;
    return this.#kafka.producer({
      ...(clientId ? { 'client.id': clientId } : {}),
      'enable.idempotence': true,
      acks: -1,
      partitioner: 'murmur2_random',
      'allow.auto.create.topics': false,
      'linger.ms': 5,
      ...(transactionalId
        ? {
            'transactional.id': transactionalId,
            'transaction.timeout.ms': transactionTimeoutMs ?? DEFAULT_TRANSACTION_TIMEOUT_MS,
          }
        : {}),
    });
  }

  #guard<T>(work: () => Promise<T>): Promise<T> {
    return translating(this.#options.transactionalId, work);
  }

  async connect(): Promise<void> {
    await this.#guard(() => this.#producer.client.connect());
  }

  /**
   * A failed send (a message librdkafka stopped retrying, or a fatal error of the idempotent producer, after which it
   * sends nothing more) marks the client broken: the next send, or `recover()`, starts on a new one, as on kafkajs
   * (ADR 0160, ADR 0198).
   */
  async send(records: readonly OutboundRecord[]): Promise<void> {
    const producer = await this.#producer.replaceIfBroken();
    await this.#producer.markingBroken(async () => {
      for (const chunk of chunks(records)) {
        await this.#guard(() => producer.sendBatch({ topicMessages: messagesByTopic(chunk) }));
      }
    });
  }

  async recover(): Promise<void> {
    await this.#producer.replaceIfBroken();
  }

  async transaction(): Promise<TransportTransaction> {
    const producer = await this.#producer.replaceIfBroken();
    const txn = await this.#guard(() => producer.transaction());
    const ending = (end: () => Promise<void>) => this.#producer.markingBroken(() => this.#guard(end));
    return {
      send: async (records) => {
        for (const chunk of chunks(records)) {
          await this.#guard(() => txn.sendBatch({ topicMessages: messagesByTopic(chunk) }));
        }
      },
      sendOffsets: async (groupId, offsets) => {
        if (offsets.length === 0) return;
        const consumer = this.#consumerFor(groupId, offsets);
        await this.#guard(() => txn.sendOffsets({ consumer, topics: offsetsByTopic(offsets) }));
      },
      commit: () => ending(() => txn.commit()),
      abort: () => ending(() => txn.abort()),
    };
  }

  async disconnect(): Promise<void> {
    await this.#producer.client.disconnect();
  }
}
