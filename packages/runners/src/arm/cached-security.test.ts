import { ConfigError } from '@tm/contracts';
import { DependencyUnavailableError } from '@tm/pipeline-core';
import { expect } from 'chai';
import type { KeyValueStore } from '../kv/key-value-store.js';
import { StoreUnavailableError } from '../kv/key-value-store.js';
import { MemoryStore } from '../kv/memory-store.js';
import { AccessCache, accessCacheKeyFromEnv } from '../security/access-cache.js';
import type { AccessOutcome } from '../security/security-service.js';
import { tokenHash } from '../security/tokens.js';
import { CachedSecurity } from './cached-security.js';
import type { SecurityPort } from './security-client.js';

const KEY = Buffer.from('k'.repeat(32));
const TTL = 5000;

describe('AccessCache', () => {
  let now: number;
  let store: MemoryStore;
  let cache: AccessCache;

  beforeEach(() => {
    now = 1_000_000;
    store = new MemoryStore(() => now);
    cache = new AccessCache(store, KEY, TTL);
  });

  it('remembers a check for its TTL, never beyond the token’s expiry, and forgets it', async () => {
    await cache.remember('h1', 7, now + 3_600_000, now);
    expect(await cache.lookup('h1', now)).to.deep.equal({ operatorId: 7, validUntil: now + TTL });
    expect(await cache.lookup('h1', now + TTL)).to.equal(undefined);
    await cache.remember('h2', 8, now + 1000, now);
    expect(await cache.lookup('h2', now + 999)).to.deep.equal({ operatorId: 8, validUntil: now + 1000 });
    expect(await cache.lookup('h2', now + 1000)).to.equal(undefined);
    await cache.remember('h3', 9, now, now); // already expired: nothing remembered
    expect(await store.get('access:h3')).to.equal(undefined);
    await cache.forget('h1');
    expect(await cache.lookup('h1', now)).to.equal(undefined);
  });

  it('refuses entries not signed with its key: forged, altered, moved to another token or signed elsewhere', async () => {
    await cache.remember('h1', 7, now + 3_600_000, now);
    const genuine = (await store.get('access:h1')) as string;
    const [, until, mac] = genuine.split('.');
    const forged = [
      `7.${until}.${'A'.repeat(43)}`, // a made-up MAC
      `8.${until}.${mac}`, // another operator
      `7.${Number(until) + 60_000}.${mac}`, // a later bound
      `7.${until}`,
      `7.${until}.${mac}.x`,
      'garbage',
    ];
    for (const value of forged) {
      await store.set('access:h1', value);
      expect(await cache.lookup('h1', now), value).to.equal(undefined);
    }
    await store.set('access:h2', genuine); // h1's entry under h2's key
    expect(await cache.lookup('h2', now)).to.equal(undefined);
    await new AccessCache(store, Buffer.from('o'.repeat(32)), TTL).remember('h3', 7, now + 60_000, now);
    expect(await cache.lookup('h3', now)).to.equal(undefined);
  });

  it('takes its key from $TM_ACCESS_CACHE_KEY: none when unset, a config error when short', () => {
    expect(accessCacheKeyFromEnv({})).to.equal(undefined);
    expect(accessCacheKeyFromEnv({ TM_ACCESS_CACHE_KEY: 'x'.repeat(32) })?.length).to.equal(32);
    expect(() => accessCacheKeyFromEnv({ TM_ACCESS_CACHE_KEY: 'short' })).to.throw(ConfigError, /32/);
  });
});

describe('CachedSecurity', () => {
  const TOKEN = 'token-of-anna';
  const HASH = tokenHash(TOKEN);
  let now: number;
  let store: MemoryStore;
  let cache: AccessCache;
  let calls: [string, string, boolean?][];
  let answer: () => Promise<AccessOutcome>;
  let cached: CachedSecurity;

  /** The security service as the ARM sees it: answers `answer()` and, when OK, remembers the token as it does. */
  const service: SecurityPort = {
    login: async () => ({ code: 'INVALID_CREDENTIALS' }),
    logout: async (token) => {
      calls.push(['logout', token]);
      await cache.forget(tokenHash(token));
      return { code: 'OK' };
    },
    checkAccess: async (token, updateExpire) => {
      calls.push(['checkAccess', token, updateExpire]);
      const outcome = await answer();
      if (outcome.code === 'OK')
        await cache.remember(tokenHash(token), outcome.operatorId, now + 3_600_000, now);
      return outcome;
    },
    ping: async () => {},
  };

  const over = (s: KeyValueStore) =>
    new CachedSecurity(service, new AccessCache(s, KEY, TTL), { now: () => now });

  beforeEach(() => {
    now = 1_000_000;
    store = new MemoryStore(() => now);
    cache = new AccessCache(store, KEY, TTL);
    calls = [];
    answer = async () => ({ code: 'OK', operatorId: 7 });
    cached = over(store);
  });

  it('misses, asks the service (which remembers), then answers from the entry without a call', async () => {
    expect(await cached.checkAccess(TOKEN, true)).to.deep.equal({ code: 'OK', operatorId: 7 });
    expect(calls).to.deep.equal([['checkAccess', TOKEN, true]]);
    now += 1000;
    expect(await cached.checkAccess(TOKEN, true)).to.deep.equal({ code: 'OK', operatorId: 7 });
    expect(calls).to.have.length(1);
    expect(cached.refreshing).to.equal(0);
  });

  it('passes the service’s refusals through, and asks again for a token it refused', async () => {
    answer = async () => ({ code: 'OPERATOR_LOCKED', operatorId: 7 });
    expect(await cached.checkAccess(TOKEN, true)).to.deep.equal({ code: 'OPERATOR_LOCKED', operatorId: 7 });
    answer = async () => ({ code: 'ACCESS_DENIED' });
    expect(await cached.checkAccess(TOKEN, true)).to.deep.equal({ code: 'ACCESS_DENIED' });
    expect(calls).to.have.length(2);
  });

  it('asks the service once the entry’s bound has passed: a lock takes effect within the TTL', async () => {
    await cached.checkAccess(TOKEN, true);
    answer = async () => ({ code: 'OPERATOR_LOCKED', operatorId: 7 });
    now += TTL - 1;
    expect((await cached.checkAccess(TOKEN, true)).code).to.equal('OK'); // still within the bound
    await Promise.resolve();
    now += 1;
    expect((await cached.checkAccess(TOKEN, true)).code).to.equal('OPERATOR_LOCKED');
  });

  it('refreshes an entry near its end in the background, once, with updateExpire: the expiry keeps sliding', async () => {
    await cached.checkAccess(TOKEN, false);
    now += TTL / 2 + 1;
    let release: () => void = () => {};
    const held = new Promise<void>((r) => {
      release = r;
    });
    answer = async () => {
      await held;
      return { code: 'OK', operatorId: 7 };
    };
    for (let i = 0; i < 3; i++) expect((await cached.checkAccess(TOKEN, false)).code).to.equal('OK');
    expect(calls).to.deep.equal([
      ['checkAccess', TOKEN, false],
      ['checkAccess', TOKEN, true],
    ]);
    expect(cached.refreshing).to.equal(1);
    release();
    await cached.close();
    expect(cached.refreshing).to.equal(0);
    expect((await cache.lookup(HASH, now))?.validUntil).to.equal(now + TTL);
  });

  it('a logout waits for a refresh in flight, so the token is not remembered after the service forgot it', async () => {
    await cached.checkAccess(TOKEN, true);
    now += TTL / 2 + 1;
    let release: () => void = () => {};
    answer = () =>
      new Promise((r) => {
        release = () => r({ code: 'OK', operatorId: 7 });
      });
    await cached.checkAccess(TOKEN, true); // starts the refresh
    const logout = cached.logout(TOKEN);
    await new Promise((r) => setTimeout(r, 5));
    expect(calls.map((c) => c[0])).to.deep.equal(['checkAccess', 'checkAccess']);
    release();
    expect(await logout).to.deep.equal({ code: 'OK' });
    expect(await cache.lookup(HASH, now)).to.equal(undefined);
  });

  it('never lets a forged or stale entry in: it asks the service', async () => {
    await store.set(`access:${HASH}`, `7.${now + TTL}.${'A'.repeat(43)}`);
    answer = async () => ({ code: 'ACCESS_DENIED' });
    expect(await cached.checkAccess(TOKEN, true)).to.deep.equal({ code: 'ACCESS_DENIED' });
    expect(calls).to.have.length(1);
  });

  it('falls back to the service when Redis cannot be read, and fails closed when the service is down too', async () => {
    const down = new MemoryStore(() => now);
    down.get = async () => {
      throw new StoreUnavailableError('get', new Error('ECONNREFUSED'));
    };
    const blind = over(down);
    expect(await blind.checkAccess(TOKEN, true)).to.deep.equal({ code: 'OK', operatorId: 7 });
    expect(calls).to.have.length(1);
    answer = async () => {
      throw new DependencyUnavailableError('security', new Error('ECONNREFUSED'));
    };
    let failure: unknown;
    await blind.checkAccess(TOKEN, true).catch((e: unknown) => {
      failure = e;
    });
    expect(failure).to.be.instanceOf(DependencyUnavailableError);
  });

  it('an entry good at its last look is still refused by the service once it lapses while the service is down', async () => {
    await cached.checkAccess(TOKEN, true);
    answer = async () => {
      throw new DependencyUnavailableError('security', new Error('ECONNREFUSED'));
    };
    now += 1000;
    expect((await cached.checkAccess(TOKEN, true)).code).to.equal('OK');
    now += TTL;
    let failure: unknown;
    await cached.checkAccess(TOKEN, true).catch((e: unknown) => {
      failure = e;
    });
    expect(failure).to.be.instanceOf(DependencyUnavailableError);
  });
});
