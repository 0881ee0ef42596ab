import type { PipelineConfig } from '@tm/contracts';
import {
  kafkaTransport,
  MemoryBroker,
  memoryTransport,
  rdkafkaAvailability,
  rdkafkaTransport,
  type Transport,
} from '@tm/pipeline-core';
import { createLogger, type Logger } from './logger.js';

/**
 * The transport a runner uses, from `infra.transport`: Kafka at `infra.kafka.brokers`, or the memory transport
 * (the embedded default, where every stage of the process shares one broker — pass it to share it). On Kafka,
 * `infra.kafka.client` picks the client library; librdkafka falls back to kafkajs where its optional package did
 * not build or does not load (ADR 0141). The client in use is logged once, at start.
 */
export function transportFor(
  config: PipelineConfig,
  options: { memoryBroker?: MemoryBroker; clientId?: string; logger?: Logger } = {},
): Transport {
  if (config.infra.transport === 'memory') return memoryTransport(options.memoryBroker ?? new MemoryBroker());
  const { brokers, client, sessionTimeoutMs } = config.infra.kafka;
  const clientId = options.clientId ?? config.infra.kafka.clientId;
  const logger = options.logger ?? createLogger('kafka');
  if (client === 'librdkafka') {
    const availability = rdkafkaAvailability();
    if (availability.available) {
      logger.info({ client: 'librdkafka', librdkafka: availability.version }, 'kafka client: librdkafka');
      return rdkafkaTransport({ brokers, clientId, sessionTimeoutMs });
    }
    logger.warn(
      { client: 'kafkajs', configured: 'librdkafka', reason: availability.reason },
      'kafka client: kafkajs (librdkafka is configured but @confluentinc/kafka-javascript does not load)',
    );
  } else {
    logger.info({ client: 'kafkajs' }, 'kafka client: kafkajs');
  }
  return kafkaTransport({ brokers, clientId, sessionTimeoutMs });
}
