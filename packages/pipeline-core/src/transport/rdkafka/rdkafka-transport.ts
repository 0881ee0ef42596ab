import { committedFrom, topicCreations } from '../kafka-shapes.js';
import type { TopicPartitionOffset, TopicSpec, Transport } from '../types.js';
import { waitForTopics } from '../wait-for-topics.js';
import {
  loadRdkafka,
  type RdkafkaAdmin,
  type RdkafkaConsumer,
  type RdkafkaModule,
} from './rdkafka-client.js';
import { type RdkafkaConsumerSettings, RdkafkaTransportConsumer } from './rdkafka-consumer.js';
import { RdkafkaTransportProducer } from './rdkafka-producer.js';

/** librdkafka's log levels (syslog's), by the names the kafkajs transport's options use. */
const LOG_LEVELS = { nothing: 0, error: 3, warn: 4, info: 6, debug: 7 } as const;

export interface RdkafkaTransportOptions {
  brokers: readonly string[];
  clientId?: string;
  /** librdkafka's own log level (default warn); its logs go to the console. */
  logLevel?: keyof typeof LOG_LEVELS;
  /** Further librdkafka settings for every client (CONFIGURATION.md keys: security.protocol, sasl.*, ...). */
  librdkafka?: Readonly<Record<string, string | number | boolean>>;
  /** Consumer session timeout, ms (default 30,000). */
  sessionTimeoutMs?: number;
  /** Bytes per partition per fetch (default 1 MiB). */
  maxBytesPerPartition?: number;
  /** Longest a fetch waits for data, ms (default 100). */
  maxWaitTimeMs?: number;
  /** Records per delivered batch (default 500): librdkafka batches client-side. */
  maxBatchSize?: number;
}

/** The librdkafka client could not be loaded: not installed, its build failed, or a shared library is missing. */
export class RdkafkaUnavailableError extends Error {
  override readonly name = 'RdkafkaUnavailableError';
}

/** Whether the librdkafka client loads here, and its librdkafka version or why not. */
export function rdkafkaAvailability():
  | { available: true; version: string }
  | { available: false; reason: string } {
  const load = loadRdkafka();
  if ('error' in load) return { available: false, reason: load.error.message.split('\n')[0] ?? 'unknown' };
  return { available: true, version: load.module.librdkafkaVersion };
}

function requireRdkafka(): RdkafkaModule {
  const load = loadRdkafka();
  if ('error' in load)
    throw new RdkafkaUnavailableError(`the librdkafka Kafka client cannot load: ${load.error.message}`, {
      cause: load.error,
    });
  return load.module;
}

/**
 * The Kafka transport over librdkafka (@confluentinc/kafka-javascript's KafkaJS-compatible API), beside the kafkajs
 * one and with the same observable behaviour (the stage contract runs on both). Throws RdkafkaUnavailableError where
 * the optional client is not installed or does not load.
 */
export function rdkafkaTransport(options: RdkafkaTransportOptions): Transport {
  const rdkafka = requireRdkafka();
  const kafka = new rdkafka.KafkaJS.Kafka({
    ...options.librdkafka,
    'bootstrap.servers': options.brokers.join(','),
    'client.id': options.clientId ?? 'pipeline',
    log_level: LOG_LEVELS[options.logLevel ?? 'warn'],
  });
  const settings: RdkafkaConsumerSettings = {
    sessionTimeoutMs: options.sessionTimeoutMs ?? 30_000,
    maxBytesPerPartition: options.maxBytesPerPartition ?? 1_048_576,
    maxWaitTimeMs: options.maxWaitTimeMs ?? 100,
    maxBatchSize: options.maxBatchSize ?? 500,
  };

  /** Started consumers per group: a transactional producer sends the group metadata of the one it works with. */
  const consumers = new Map<string, RdkafkaTransportConsumer[]>();
  const forget = (consumer: RdkafkaTransportConsumer) => {
    const list = (consumers.get(consumer.groupId) ?? []).filter((c) => c !== consumer);
    if (list.length > 0) consumers.set(consumer.groupId, list);
    else consumers.delete(consumer.groupId);
  };
  const consumerFor = (groupId: string, offsets: readonly TopicPartitionOffset[]): RdkafkaConsumer => {
    const started = (consumers.get(groupId) ?? []).filter((c) => c.client);
    const owner = started.find((c) => c.owns(offsets)) ?? started[started.length - 1];
    if (!owner?.client)
      throw new Error(`no started consumer of group ${groupId} on this transport to send offsets for`);
    return owner.client;
  };

  let admin: Promise<RdkafkaAdmin> | undefined;
  const connectedAdmin = () => {
    admin ??= (async () => {
      const a = kafka.admin();
      await a.connect();
      return a;
    })();
    return admin;
  };

  return {
    kind: 'librdkafka',
    createConsumer: (consumerOptions) => {
      const consumer = new RdkafkaTransportConsumer(kafka, consumerOptions, settings, forget);
      consumers.set(consumerOptions.groupId, [...(consumers.get(consumerOptions.groupId) ?? []), consumer]);
      return consumer;
    },
    createProducer: (producerOptions = {}) =>
      new RdkafkaTransportProducer(kafka, producerOptions, consumerFor),
    ensureTopics: async (topics: readonly TopicSpec[]) => {
      const a = await connectedAdmin();
      const existing = new Set(await a.listTopics());
      const missing = topics.filter((t) => !existing.has(t.topic));
      if (missing.length > 0) {
        try {
          await a.createTopics({
            topics: topicCreations(missing),
          });
        } catch (err) {
          // Another runner may have created one of them a moment ago; anything else is the broker's refusal.
          if (!/already exists/i.test(String(err))) throw err;
        }
      }
      // Topics created just now, or by another runner a moment ago, may have no leader yet (issue 15, defect 9).
      await waitForTopics(
        { fetchTopicMetadata: async (request) => ({ topics: await a.fetchTopicMetadata(request) }) },
        topics.map((t) => t.topic),
      );
    },
    committedOffsets: async (groupId, topic) => {
      const a = await connectedAdmin();
      const [result] = await a.fetchOffsets({ groupId, topics: [topic] });
      return committedFrom(result);
    },
    close: async () => {
      if (admin) await (await admin).disconnect();
    },
  };
}
