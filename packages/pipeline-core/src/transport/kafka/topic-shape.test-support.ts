import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { kafkaTransport } from './kafka-transport.js';

/** Asserts, through a kafkajs admin client, a topic's partition count and one of its settings. */
export async function expectTopicShape(
  brokers: readonly string[],
  topic: string,
  partitions: number,
  setting: { name: string; value: string },
): Promise<void> {
  const transport = kafkaTransport({ brokers, logLevel: kafkajs.logLevel.ERROR });
  const admin = transport.kafka.admin();
  await admin.connect();
  try {
    const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
    expect(meta?.partitions).to.have.length(partitions);
    const { resources } = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: [setting.name] }],
    });
    expect(resources[0]?.configEntries[0]?.configValue).to.equal(setting.value);
  } finally {
    await admin.disconnect();
    await transport.close();
  }
}
