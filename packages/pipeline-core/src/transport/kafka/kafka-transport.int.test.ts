import { testServices, uniqueName } from '@tm/infra';
import { expect } from 'chai';
import kafkajs from 'kafkajs';
import { kafkaTransport } from './kafka-transport.js';

describe('kafkaTransport.ensureTopics', () => {
  it('creates missing topics with their partitions and settings, and leaves existing ones alone', async () => {
    const transport = kafkaTransport({
      brokers: testServices().kafkaBrokers,
      logLevel: kafkajs.logLevel.ERROR,
    });
    const topic = uniqueName('compacted');
    try {
      await transport.ensureTopics([{ topic, partitions: 2, config: { 'cleanup.policy': 'compact' } }]);
      await transport.ensureTopics([{ topic, partitions: 5 }]);
      const admin = transport.kafka.admin();
      await admin.connect();
      try {
        const [meta] = (await admin.fetchTopicMetadata({ topics: [topic] })).topics;
        expect(meta?.partitions).to.have.length(2);
        const { resources } = await admin.describeConfigs({
          includeSynonyms: false,
          resources: [
            { type: kafkajs.ConfigResourceTypes.TOPIC, name: topic, configNames: ['cleanup.policy'] },
          ],
        });
        expect(resources[0]?.configEntries[0]?.configValue).to.equal('compact');
      } finally {
        await admin.disconnect();
      }
    } finally {
      await transport.close();
    }
  });
});
