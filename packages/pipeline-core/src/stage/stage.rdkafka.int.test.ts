import { testServices, uniqueName } from '@tm/infra';
import { rdkafkaAvailability, rdkafkaTransport } from '../transport/rdkafka/rdkafka-transport.js';
import { describeStageContract } from './stage.contract.js';

const availability = rdkafkaAvailability();
if (availability.available) {
  describeStageContract('librdkafka', {
    transport: () =>
      rdkafkaTransport({ brokers: testServices().kafkaBrokers, clientId: 'contract', logLevel: 'error' }),
    name: (base) => uniqueName(base),
    cleanup: async () => {},
  });
} else {
  describe('stage contract on the librdkafka transport', () => {
    it.skip(`skipped: @confluentinc/kafka-javascript does not load here (${availability.reason})`);
  });
}
