import { createRequire } from 'node:module';

/**
 * The part of `@confluentinc/kafka-javascript`'s KafkaJS-compatible API this transport uses, typed here so that
 * pipeline-core typechecks and runs where the package (an optional dependency, built from source on install) is
 * absent. Its own types are richer; keep this to what the transport calls.
 */
export interface RdkafkaMessage {
  offset: string;
  timestamp: string;
  key: Buffer | null;
  value: Buffer | null;
  headers?: Record<string, Buffer | string | (Buffer | string)[] | undefined>;
}

export interface RdkafkaBatch {
  topic: string;
  partition: number;
  highWatermark: string;
  messages: RdkafkaMessage[];
}

export interface RdkafkaTopicPartitions {
  topic: string;
  partitions?: number[];
}

export interface RdkafkaTopicPartition {
  topic: string;
  partition: number;
}

export interface RdkafkaError extends Error {
  code?: number;
  type?: string;
  fatal?: boolean;
  retriable?: boolean;
  abortable?: boolean;
}

/** The underlying node-rdkafka client, for its error events and direct pause/resume. */
export interface RdkafkaInternalClient {
  on(event: 'event.error', listener: (error: RdkafkaError) => void): void;
  pause(partitions: RdkafkaTopicPartition[]): void;
  resume(partitions: RdkafkaTopicPartition[]): void;
}

/** librdkafka's local error codes (rd_kafka_resp_err_t) the transports act on. */
export const RdkafkaCodes = {
  FATAL: -150,
  TRANSPORT: -195,
  ALL_BROKERS_DOWN: -187,
  TIMED_OUT: -185,
} as const;

/**
 * The binding's error events (`event.error`) carry librdkafka's error text only (`err2str`), no code nor fatal flag:
 * `LibrdKafkaError` then gives them code -1 and keeps the text after "Local: ", lower-cased. This finds the code
 * again from that text for the errors the transport acts on; anything else keeps the code it has.
 */
const CODE_OF_EVENT_TEXT: ReadonlyMap<string, number> = new Map([
  ['fatal error', RdkafkaCodes.FATAL],
  ['broker transport failure', RdkafkaCodes.TRANSPORT],
  ['all broker connections are down', RdkafkaCodes.ALL_BROKERS_DOWN],
  ['timed out', RdkafkaCodes.TIMED_OUT],
]);

export function eventErrorCode(error: RdkafkaError): number | undefined {
  if (error.code !== undefined && error.code !== -1) return error.code;
  return CODE_OF_EVENT_TEXT.get(error.message.replace(/^local: /i, '').toLowerCase()) ?? error.code;
}

export interface RdkafkaConsumer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  subscribe(subscription: { topics: string[] }): Promise<void>;
  run(config: {
    eachBatchAutoResolve?: boolean;
    partitionsConsumedConcurrently?: number;
    eachBatch: (payload: { batch: RdkafkaBatch }) => Promise<void>;
  }): Promise<void>;
  pause(topics: RdkafkaTopicPartitions[]): void;
  resume(topics: RdkafkaTopicPartitions[]): void;
  commitOffsets(offsets: { topic: string; partition: number; offset: string }[]): Promise<void>;
  assignment(): RdkafkaTopicPartition[];
  _getInternalClient(): RdkafkaInternalClient;
}

export interface RdkafkaOutgoingMessage {
  key: Buffer | string | null;
  value: Buffer | null;
  partition?: number;
  headers?: Record<string, string>;
}

export interface RdkafkaProducer {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  sendBatch(batch: {
    topicMessages: { topic: string; messages: RdkafkaOutgoingMessage[] }[];
  }): Promise<unknown>;
  transaction(): Promise<RdkafkaProducer>;
  sendOffsets(args: {
    consumer: RdkafkaConsumer;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<void>;
  commit(): Promise<void>;
  abort(): Promise<void>;
}

export interface RdkafkaAdmin {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  listTopics(): Promise<string[]>;
  createTopics(options: {
    topics: {
      topic: string;
      numPartitions: number;
      replicationFactor: number;
      configEntries: { name: string; value: string }[];
    }[];
  }): Promise<boolean>;
  /** Unlike kafkajs's, a list of topics (not `{ topics }`). */
  fetchTopicMetadata(options: {
    topics: string[];
  }): Promise<{ name: string; partitions: { partitionId: number; leader: number }[] }[]>;
  fetchOffsets(options: {
    groupId: string;
    topics: string[];
  }): Promise<{ topic: string; partitions: { partition: number; offset: string }[] }[]>;
}

/** librdkafka settings (its CONFIGURATION.md keys) beside the few KafkaJS-style ones, per client. */
export type RdkafkaConfig = Record<string, unknown>;

export interface RdkafkaKafka {
  producer(config: RdkafkaConfig): RdkafkaProducer;
  consumer(config: RdkafkaConfig): RdkafkaConsumer;
  admin(config?: RdkafkaConfig): RdkafkaAdmin;
}

export interface RdkafkaModule {
  librdkafkaVersion: string;
  KafkaJS: {
    Kafka: new (config: RdkafkaConfig) => RdkafkaKafka;
    logLevel: { NOTHING: number; ERROR: number; WARN: number; INFO: number; DEBUG: number };
  };
}

export type RdkafkaLoad = { module: RdkafkaModule } | { error: Error };

let loaded: RdkafkaLoad | undefined;

/**
 * Loads the librdkafka client once. It fails where the optional dependency was not installed or its native build
 * failed or cannot load (a missing shared library); the error says which, for the runners' start-up line.
 */
export function loadRdkafka(): RdkafkaLoad {
  if (!loaded) {
    try {
      const module = createRequire(import.meta.url)('@confluentinc/kafka-javascript') as RdkafkaModule;
      loaded = { module };
    } catch (err) {
      loaded = { error: err instanceof Error ? err : new Error(String(err)) };
    }
  }
  return loaded;
}
