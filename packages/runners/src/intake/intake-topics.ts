import type { PipelineConfig } from '@tm/contracts';
import type { Transport } from '@tm/pipeline-core';

/**
 * Creates the topics intake writes that do not exist yet: each stream's topic (`topics.partitions` partitions) and
 * the ledger topic, one partition (the ledger reader relies on one order) and, on Kafka, compacted
 * (`cleanup.policy=compact`), so only the latest entry of each file is kept.
 */
export async function ensureIntakeTopics(transport: Transport, config: PipelineConfig): Promise<void> {
  const { topics, events } = config;
  await transport.ensureTopics(
    [...new Set(events.dataStreams.map((s) => s.topic))].map((topic) => ({
      topic,
      partitions: topics.partitions,
      replicationFactor: topics.replicationFactor,
    })),
  );
  await transport.ensureTopics([
    {
      topic: events.ledgerTopic,
      partitions: 1,
      replicationFactor: topics.replicationFactor,
      config: { 'cleanup.policy': 'compact' },
    },
  ]);
}
