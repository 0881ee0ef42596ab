import { testServices, uniqueName } from '@tm/infra';
import kafkajs from 'kafkajs';
import { kafkaTransport } from './kafka-transport.js';
import { expectTopicShape } from './topic-shape.test-support.js';

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
      await expectTopicShape(testServices().kafkaBrokers, topic, 2, {
        name: 'cleanup.policy',
        value: 'compact',
      });
    } finally {
      await transport.close();
    }
  });
});
