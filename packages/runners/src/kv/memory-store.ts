import type { CachedReads, KeyValueStore } from './key-value-store.js';

type Entry =
  | { kind: 'string'; value: string; expiresAt: number | undefined }
  | { kind: 'set'; members: Set<string> }
  | { kind: 'zset'; scores: Map<string, number> };

/**
 * A {@link KeyValueStore} in this process's memory, for the embedded demo and unit tests: the same answers as
 * {@link RedisStore}, nothing shared between processes and nothing kept across restarts. Expired keys are dropped
 * when next touched.
 */
export class MemoryStore implements KeyValueStore {
  readonly #entries = new Map<string, Entry>();

  constructor(private readonly now: () => number = Date.now) {}

  #live(key: string): Entry | undefined {
    const entry = this.#entries.get(key);
    if (entry?.kind === 'string' && entry.expiresAt !== undefined && entry.expiresAt <= this.now()) {
      this.#entries.delete(key);
      return undefined;
    }
    return entry;
  }

  #set(key: string): Set<string> {
    const entry = this.#live(key);
    if (entry?.kind === 'set') return entry.members;
    const members = new Set<string>();
    this.#entries.set(key, { kind: 'set', members });
    return members;
  }

  #zset(key: string): Map<string, number> {
    const entry = this.#live(key);
    if (entry?.kind === 'zset') return entry.scores;
    const scores = new Map<string, number>();
    this.#entries.set(key, { kind: 'zset', scores });
    return scores;
  }

  async get(key: string): Promise<string | undefined> {
    const entry = this.#live(key);
    return entry?.kind === 'string' ? entry.value : undefined;
  }

  async set(key: string, value: string, ttlMs?: number): Promise<void> {
    const expiresAt = ttlMs === undefined ? undefined : this.now() + ttlMs;
    this.#entries.set(key, { kind: 'string', value, expiresAt });
  }

  async del(...keys: string[]): Promise<number> {
    let n = 0;
    for (const key of keys) {
      if (this.#live(key)) n += 1;
      this.#entries.delete(key);
    }
    return n;
  }

  async hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }> {
    const entry = this.#live(key);
    const now = this.now();
    if (entry?.kind === 'string' && entry.expiresAt !== undefined) {
      const count = Number(entry.value) + 1;
      entry.value = String(count);
      return { count, ttlMs: entry.expiresAt - now };
    }
    this.#entries.set(key, { kind: 'string', value: '1', expiresAt: now + windowMs });
    return { count: 1, ttlMs: windowMs };
  }

  async sadd(key: string, member: string): Promise<void> {
    this.#set(key).add(member);
  }

  async srem(key: string, ...members: string[]): Promise<void> {
    const set = this.#set(key);
    for (const m of members) set.delete(m);
    if (set.size === 0) this.#entries.delete(key);
  }

  async smembers(key: string): Promise<string[]> {
    const entry = this.#live(key);
    return entry?.kind === 'set' ? [...entry.members] : [];
  }

  async zadd(key: string, score: number, member: string): Promise<boolean> {
    const scores = this.#zset(key);
    const added = !scores.has(member);
    scores.set(member, score);
    return added;
  }

  async zrangeByScore(key: string, maxScore: number, limit: number): Promise<string[]> {
    const entry = this.#live(key);
    if (entry?.kind !== 'zset') return [];
    return [...entry.scores]
      .filter(([, score]) => score <= maxScore)
      .sort(([a, x], [b, y]) => x - y || (a < b ? -1 : 1))
      .slice(0, limit)
      .map(([member]) => member);
  }

  async zremIfAtMost(key: string, member: string, maxScore: number): Promise<boolean> {
    const entry = this.#live(key);
    if (entry?.kind !== 'zset') return false;
    const score = entry.scores.get(member);
    if (score === undefined || score > maxScore) return false;
    entry.scores.delete(member);
    return true;
  }

  async zrem(key: string, member: string): Promise<boolean> {
    const entry = this.#live(key);
    return entry?.kind === 'zset' ? entry.scores.delete(member) : false;
  }

  /** This store is memory already: its cached reads are its reads. */
  readonly cached: CachedReads = {
    get: (key) => {
      this.#cachedReads += 1;
      return this.get(key);
    },
    smembers: (key) => {
      this.#cachedReads += 1;
      return this.smembers(key);
    },
    forget: () => {},
    counts: () => ({ memory: this.#cachedReads, store: 0 }),
  };
  #cachedReads = 0;

  async ping(): Promise<void> {}

  async close(): Promise<void> {}
}
