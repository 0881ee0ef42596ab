import { memoryTransport } from '../transport/memory/memory-transport.js';
import { describeStageContract } from './stage.contract.js';

let n = 0;
describeStageContract('memory', {
  transport: () => memoryTransport(),
  name: (base) => `${base}-${++n}`,
  cleanup: async () => {},
});
