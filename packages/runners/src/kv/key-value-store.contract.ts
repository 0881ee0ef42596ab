/**
 * The behaviour every {@link KeyValueStore} shares, run against {@link MemoryStore} (unit) and {@link RedisStore}
 * (integration, real Redis). A difference between the two is a bug.
 */
import { expect } from 'chai';
import type { KeyValueStore } from './key-value-store.js';

export function keyValueStoreContract(
  make: () => Promise<{ store: KeyValueStore; key: (k: string) => string }>,
) {
  let store: KeyValueStore;
  let key: (k: string) => string;
  beforeEach(async () => {
    ({ store, key } = await make());
  });
  afterEach(async () => {
    await store.close();
  });
  const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

  it('gets what was set, and nothing after the TTL or a delete', async () => {
    expect(await store.get(key('a'))).to.equal(undefined);
    await store.set(key('a'), 'one');
    await store.set(key('b'), 'two', 50);
    expect(await store.get(key('a'))).to.equal('one');
    expect(await store.get(key('b'))).to.equal('two');
    await sleep(80);
    expect(await store.get(key('b'))).to.equal(undefined);
    expect(await store.del(key('a'), key('b'))).to.equal(1);
    expect(await store.get(key('a'))).to.equal(undefined);
  });

  it('counts hits in a fixed window that starts at the first hit', async () => {
    expect(await store.hit(key('h'), 200)).to.include({ count: 1 });
    const second = await store.hit(key('h'), 200);
    expect(second.count).to.equal(2);
    expect(second.ttlMs).to.be.within(1, 200);
    await sleep(230);
    expect((await store.hit(key('h'), 200)).count).to.equal(1);
  });

  it('keeps sets of members', async () => {
    expect(await store.smembers(key('s'))).to.deep.equal([]);
    await store.sadd(key('s'), 'X');
    await store.sadd(key('s'), 'Y');
    await store.sadd(key('s'), 'X');
    expect((await store.smembers(key('s'))).sort()).to.deep.equal(['X', 'Y']);
    await store.srem(key('s'), 'X', 'Z');
    expect(await store.smembers(key('s'))).to.deep.equal(['Y']);
  });

  it('keeps sorted sets: ranges by score, and a removal only one caller wins', async () => {
    expect(await store.zadd(key('z'), 30, 'c')).to.equal(true);
    expect(await store.zadd(key('z'), 10, 'a')).to.equal(true);
    expect(await store.zadd(key('z'), 20, 'b')).to.equal(true);
    expect(await store.zadd(key('z'), 15, 'b')).to.equal(false);
    expect(await store.zrangeByScore(key('z'), 20, 10)).to.deep.equal(['a', 'b']);
    expect(await store.zrangeByScore(key('z'), 100, 2)).to.deep.equal(['a', 'b']);
    expect(await store.zremIfAtMost(key('z'), 'c', 20)).to.equal(false);
    const racers = await Promise.all([1, 2, 3].map(() => store.zremIfAtMost(key('z'), 'a', 20)));
    expect(racers.filter(Boolean)).to.have.length(1);
    expect(await store.zrem(key('z'), 'b')).to.equal(true);
    expect(await store.zrem(key('z'), 'b')).to.equal(false);
    expect(await store.zrangeByScore(key('z'), 100, 10)).to.deep.equal(['c']);
  });

  it('answers a ping', async () => {
    await store.ping();
  });
}
