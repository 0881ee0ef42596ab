import { keyValueStoreContract } from './key-value-store.contract.js';
import { MemoryStore } from './memory-store.js';

describe('MemoryStore', () => {
  keyValueStoreContract(async () => ({ store: new MemoryStore(), key: (k) => k }));
});
