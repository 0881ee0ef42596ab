import type { PipelineConfig } from '@tm/contracts';
import type { Transport } from '@tm/pipeline-core';

/** The part of a kafkajs client intake needs to create a compacted topic (`kafkaTransport(...).kafka`). */
interface KafkaAdminSource {
  readonly kafka: {
    admin(): {
      connect(): Promise<void>;
      disconnect(): Promise<void>;
      listTopics(): Promise<string[]>;
      createTopics(options: {
        waitForLeaders?: boolean;
        topics: {
          topic: string;
          numPartitions: number;
          replicationFactor: number;
          configEntries: { name: string; value: string }[];
        }[];
      }): Promise<boolean>;
    };
  };
}

function hasKafkaAdmin(transport: Transport): transport is Transport & KafkaAdminSource {
  return transport.kind === 'kafka' && 'kafka' in transport;
}

/**
 * Creates the topics intake writes that do not exist yet: each stream's topic (`topics.partitions` partitions) and
 * the ledger topic, one partition (the ledger reader relies on one order) and, on Kafka, compacted
 * (`cleanup.policy=compact`), so only the latest entry of each file is kept.
 *
 * `Transport.ensureTopics` takes no topic configs, so the compacted topic is created with the kafkajs admin of
 * the Kafka transport; the memory transport keeps everything anyway.
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
  const ledger = { topic: events.ledgerTopic, partitions: 1, replicationFactor: topics.replicationFactor };
  if (!hasKafkaAdmin(transport)) {
    await transport.ensureTopics([ledger]);
    return;
  }
  const admin = transport.kafka.admin();
  await admin.connect();
  try {
    if ((await admin.listTopics()).includes(ledger.topic)) return;
    await admin.createTopics({
      waitForLeaders: true,
      topics: [
        {
          topic: ledger.topic,
          numPartitions: 1,
          replicationFactor: ledger.replicationFactor,
          configEntries: [{ name: 'cleanup.policy', value: 'compact' }],
        },
      ],
    });
  } finally {
    await admin.disconnect();
  }
}
