import { testServices, uniqueName } from '@tm/infra';
import { logLevel } from 'kafkajs';
import { kafkaTransport } from '../transport/kafka/kafka-transport.js';
import { describeStageContract } from './stage.contract.js';

describeStageContract('kafka', {
  transport: () =>
    kafkaTransport({ brokers: testServices().kafkaBrokers, clientId: 'contract', logLevel: logLevel.ERROR }),
  name: (base) => uniqueName(base),
  cleanup: async () => {},
});
