import { Redis, type RedisOptions } from 'ioredis';
import type { Logger } from 'pino';
import { type CachedReads, type KeyValueStore, StoreUnavailableError } from './key-value-store.js';
import { TrackedReads } from './tracked-reads.js';

/** INCR, and PEXPIRE on the first hit, in one step; returns {count, ttl}. */
const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}`;

/** ZREM only while the member's score is at most ARGV[2]; returns 1 when removed. */
const ZREM_IF_AT_MOST_SCRIPT = `
local score = redis.call('ZSCORE', KEYS[1], ARGV[1])
if score and tonumber(score) <= tonumber(ARGV[2]) then
  return redis.call('ZREM', KEYS[1], ARGV[1])
end
return 0`;

interface ScriptedRedis extends Redis {
  tmHit(key: string, windowMs: number): Promise<[number, number]>;
  tmZremIfAtMost(key: string, member: string, maxScore: number): Promise<number>;
}

/** Options of {@link RedisStore}. */
export interface RedisStoreOptions {
  url: string;
  /** Prepended to every key (tests give each run its own). */
  keyPrefix?: string;
  /** How long a connection attempt may take (default 2,000 ms). */
  connectTimeoutMs?: number;
  logger?: Logger;
}

/**
 * A {@link KeyValueStore} on Redis through ioredis, set up so an outage fails fast instead of piling up
 * (fastify/fastify-rate-limit#84): no offline queue (a command while disconnected rejects at once), a connect
 * timeout, one retry per request, and reconnection in the background with a capped backoff. The process never
 * exits for Redis: callers get a {@link StoreUnavailableError} and report themselves unready.
 */
export class RedisStore implements KeyValueStore {
  readonly #redis: ScriptedRedis;
  readonly #options: RedisStoreOptions;
  #tracked: TrackedReads | undefined;
  #cached: CachedReads | undefined;
  #lastErrorLogAt = 0;

  constructor(options: RedisStoreOptions) {
    this.#options = options;
    const redis = new Redis(options.url, this.#connectionOptions());
    redis.defineCommand('tmHit', { numberOfKeys: 1, lua: HIT_SCRIPT });
    redis.defineCommand('tmZremIfAtMost', { numberOfKeys: 1, lua: ZREM_IF_AT_MOST_SCRIPT });
    redis.on('error', (error: Error) => {
      // ioredis emits on every failed reconnect; one line every 10 s is enough to see an outage.
      const now = Date.now();
      if (now - this.#lastErrorLogAt < 10_000) return;
      this.#lastErrorLogAt = now;
      options.logger?.warn({ error: error.message }, 'redis unavailable; reconnecting');
    });
    this.#redis = redis as ScriptedRedis;
  }

  #connectionOptions(): RedisOptions {
    return {
      keyPrefix: this.#options.keyPrefix ?? '',
      enableOfflineQueue: false,
      connectTimeout: this.#options.connectTimeoutMs ?? 2000,
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(100 * times, 2000),
    };
  }

  /**
   * Client-side caching of GET and SMEMBERS with Redis's invalidations ({@link TrackedReads}, ADR 0167): two more
   * connections (the tracked reads, the invalidation subscriber), opened on first use.
   */
  get cached(): CachedReads {
    this.#cached ??= this.#trackedReads();
    return this.#cached;
  }

  /** The tracked reads behind {@link cached}, once used (tests). */
  get tracked(): TrackedReads | undefined {
    return this.#tracked;
  }

  #trackedReads(): CachedReads {
    const subscriber = new Redis(this.#options.url, { ...this.#connectionOptions(), autoResubscribe: false });
    const reader = new Redis(this.#options.url, this.#connectionOptions());
    // The main connection logs outages; these two only fall back to it.
    subscriber.on('error', () => {});
    reader.on('error', () => {});
    const tracked = new TrackedReads(this.#redis, reader, subscriber, {
      keyPrefix: this.#options.keyPrefix ?? '',
      ...(this.#options.logger ? { logger: this.#options.logger } : {}),
    });
    this.#tracked = tracked;
    return {
      get: (key) => this.#call('get', () => tracked.get(key)),
      smembers: (key) => this.#call('smembers', () => tracked.smembers(key)),
      forget: (key) => tracked.forget(key),
      counts: () => tracked.counts(),
    };
  }

  /** Resolves once connected (or at once when already), rejects after `timeoutMs`. */
  async ready(timeoutMs = 5000): Promise<void> {
    if (this.#redis.status === 'ready') return;
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#redis.off('ready', onReady);
        reject(new StoreUnavailableError('connect', new Error(`not ready after ${timeoutMs} ms`)));
      }, timeoutMs);
      const onReady = () => {
        clearTimeout(timer);
        resolve();
      };
      this.#redis.once('ready', onReady);
    });
  }

  async #call<T>(operation: string, body: (redis: ScriptedRedis) => Promise<T>): Promise<T> {
    try {
      return await body(this.#redis);
    } catch (error) {
      throw new StoreUnavailableError(operation, error);
    }
  }

  get(key: string): Promise<string | undefined> {
    return this.#call('get', async (r) => (await r.get(key)) ?? undefined);
  }

  set(key: string, value: string, ttlMs?: number): Promise<void> {
    return this.#call('set', async (r) => {
      if (ttlMs === undefined) await r.set(key, value);
      else await r.set(key, value, 'PX', Math.max(1, Math.round(ttlMs)));
    });
  }

  del(...keys: string[]): Promise<number> {
    if (keys.length === 0) return Promise.resolve(0);
    return this.#call('del', (r) => r.del(...keys));
  }

  hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    return this.#call('hit', async (r) => {
      const [count, ttlMs] = await r.tmHit(key, Math.max(1, Math.round(windowMs)));
      return { count: Number(count), ttlMs: Number(ttlMs) };
    });
  }

  sadd(key: string, member: string): Promise<void> {
    return this.#call('sadd', async (r) => {
      await r.sadd(key, member);
    });
  }

  srem(key: string, ...members: string[]): Promise<void> {
    return this.#call('srem', async (r) => {
      if (members.length > 0) await r.srem(key, ...members);
    });
  }

  smembers(key: string): Promise<string[]> {
    return this.#call('smembers', (r) => r.smembers(key));
  }

  zadd(key: string, score: number, member: string): Promise<boolean> {
    return this.#call('zadd', async (r) => (await r.zadd(key, score, member)) === 1);
  }

  zrangeByScore(key: string, maxScore: number, limit: number): Promise<string[]> {
    return this.#call('zrangeByScore', (r) => r.zrangebyscore(key, '-inf', maxScore, 'LIMIT', 0, limit));
  }

  zremIfAtMost(key: string, member: string, maxScore: number): Promise<boolean> {
    return this.#call('zremIfAtMost', async (r) => (await r.tmZremIfAtMost(key, member, maxScore)) === 1);
  }

  zrem(key: string, member: string): Promise<boolean> {
    return this.#call('zrem', async (r) => (await r.zrem(key, member)) === 1);
  }

  ping(): Promise<void> {
    return this.#call('ping', async (r) => {
      await r.ping();
    });
  }

  async close(): Promise<void> {
    this.#tracked?.close();
    this.#redis.disconnect();
  }
}
