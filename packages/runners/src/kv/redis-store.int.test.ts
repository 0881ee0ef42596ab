import { testServices, uniqueName } from '@tm/infra';
import { expect } from 'chai';
import { keyValueStoreContract } from './key-value-store.contract.js';
import { StoreUnavailableError } from './key-value-store.js';
import { RedisStore } from './redis-store.js';

describe('RedisStore on real Redis', () => {
  keyValueStoreContract(async () => {
    const { redisUrl, redisKeyPrefix } = testServices();
    const store = new RedisStore({ url: redisUrl, keyPrefix: redisKeyPrefix });
    await store.ready();
    const base = uniqueName('kv');
    return { store, key: (k: string) => `${base}:${k}` };
  });

  it('fails fast with StoreUnavailableError while Redis cannot be reached, instead of queueing', async () => {
    const store = new RedisStore({ url: 'redis://127.0.0.1:1', connectTimeoutMs: 200 });
    const started = Date.now();
    try {
      const error = await store.get('x').then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).to.be.instanceOf(StoreUnavailableError);
      expect(Date.now() - started).to.be.below(1000);
    } finally {
      await store.close();
    }
  });
});
