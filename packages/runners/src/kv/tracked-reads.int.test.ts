import { testServices, uniqueName } from '@tm/infra';
import { expect } from 'chai';
import { Redis } from 'ioredis';
import { RedisStore } from './redis-store.js';

/** Waits until `condition` holds, 5 s at most. */
async function until(condition: () => boolean | Promise<boolean>, what: string): Promise<void> {
  for (const deadline = Date.now() + 5000; Date.now() < deadline; ) {
    if (await condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`not within 5 s: ${what}`);
}

describe('RedisStore.cached: reads from memory, invalidated by Redis (ADR 0167)', function () {
  this.timeout(30_000);
  let reader: RedisStore;
  let writer: RedisStore;
  let admin: Redis;
  const key = (k: string) => `${uniqueName('tracked')}:${k}`;

  beforeEach(async () => {
    const { redisUrl, redisKeyPrefix } = testServices();
    reader = new RedisStore({ url: redisUrl, keyPrefix: redisKeyPrefix });
    writer = new RedisStore({ url: redisUrl, keyPrefix: redisKeyPrefix });
    admin = new Redis(redisUrl);
    await Promise.all([reader.ready(), writer.ready()]);
    void reader.cached;
    await until(() => reader.tracked?.live === true, 'tracking on');
  });

  afterEach(async () => {
    await reader.close();
    await writer.close();
    admin.disconnect();
  });

  it('answers a repeated read from memory, and sees another client’s change once Redis invalidates it', async () => {
    const k = key('set');
    await writer.sadd(k, 'CLIENT_CARD_READY');
    expect(await reader.cached.smembers(k)).to.deep.equal(['CLIENT_CARD_READY']);
    const hits = reader.tracked?.hits ?? 0;
    expect(await reader.cached.smembers(k)).to.deep.equal(['CLIENT_CARD_READY']);
    expect(reader.tracked?.hits).to.equal(hits + 1);

    await writer.srem(k, 'CLIENT_CARD_READY');
    await until(async () => (await reader.cached.smembers(k)).length === 0, 'the change seen');
    await writer.sadd(k, 'CALL_ENDED');
    await until(async () => (await reader.cached.smembers(k)).includes('CALL_ENDED'), 'the next change seen');
  });

  it('sees a deletion and an expiry (the access entry at logout, at its TTL)', async () => {
    const k = key('entry');
    await writer.set(k, 'v1', 300);
    expect(await reader.cached.get(k)).to.equal('v1');
    await until(async () => (await reader.cached.get(k)) === undefined, 'the expiry seen');
    await writer.set(k, 'v2');
    await until(async () => (await reader.cached.get(k)) === 'v2', 'the new value seen');
    await writer.del(k);
    await until(async () => (await reader.cached.get(k)) === undefined, 'the deletion seen');
  });

  it('forget() makes this process’s own next read go to Redis at once', async () => {
    const k = key('own');
    await writer.set(k, 'before');
    expect(await reader.cached.get(k)).to.equal('before');
    await reader.set(k, 'after');
    reader.cached.forget(k);
    expect(await reader.cached.get(k)).to.equal('after');
  });

  it('stops answering from memory when the invalidation connection drops, and starts again once it is back', async () => {
    const k = key('drop');
    await writer.set(k, 'one');
    expect(await reader.cached.get(k)).to.equal('one');
    // Kill the subscriber's connection: invalidations sent meanwhile are lost, so memory must not be trusted.
    const id = reader.tracked?.subscriberId;
    expect(id).to.be.a('number');
    expect(String(await admin.client('LIST', 'ID', String(id)))).to.match(/sub=1/);
    await admin.client('KILL', 'ID', String(id));
    await writer.set(k, 'two');
    // The drop is seen (memory emptied, reads go to Redis) before the lost invalidation could matter.
    expect(await reader.cached.get(k)).to.equal('two');
    await until(() => reader.tracked?.live === true, 'tracking on again');
    expect(await reader.cached.get(k)).to.equal('two');
    await writer.set(k, 'three');
    await until(async () => (await reader.cached.get(k)) === 'three', 'invalidations again');
  });
});
