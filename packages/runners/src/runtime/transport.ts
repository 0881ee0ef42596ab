import type { PipelineConfig } from '@tm/contracts';
import { kafkaTransport, MemoryBroker, memoryTransport, type Transport } from '@tm/pipeline-core';

/**
 * The transport a runner uses, from `infra.transport`: Kafka at `infra.kafka.brokers`, or the memory transport
 * (the embedded default, where every stage of the process shares one broker — pass it to share it).
 */
export function transportFor(
  config: PipelineConfig,
  options: { memoryBroker?: MemoryBroker; clientId?: string } = {},
): Transport {
  if (config.infra.transport === 'memory') return memoryTransport(options.memoryBroker ?? new MemoryBroker());
  return kafkaTransport({
    brokers: config.infra.kafka.brokers,
    clientId: options.clientId ?? config.infra.kafka.clientId,
    sessionTimeoutMs: config.infra.kafka.sessionTimeoutMs,
  });
}
