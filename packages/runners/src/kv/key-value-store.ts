/**
 * The few key-value operations the security service and the ARM keep their fast state with: counters of login
 * attempts, operators' sessions, pending changes and prepared cards (ADR 0092). Production uses Redis
 * ({@link RedisStore}); the embedded demo uses {@link MemoryStore}, which behaves the same in one process. One
 * contract suite (`key-value-store.contract.ts`) runs against both.
 *
 * Keys are the caller's; an implementation may prefix them. A failure to reach the store rejects with a
 * {@link StoreUnavailableError}; the caller answers 503 and retries later, never treats it as "absent".
 */
export interface KeyValueStore {
  /** The value of `key`, or undefined when it is absent or expired. */
  get(key: string): Promise<string | undefined>;
  /** Sets `key`, expiring after `ttlMs` when given. */
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Deletes keys; resolves with how many existed. */
  del(...keys: string[]): Promise<number>;
  /**
   * Counts one hit in a fixed window: increments `key` and, on the first hit, makes it expire after `windowMs`, in
   * one atomic step. Resolves with the count so far and the time left in the window.
   */
  hit(key: string, windowMs: number): Promise<{ count: number; ttlMs: number }>;
  /** Adds a member to the set at `key`. */
  sadd(key: string, member: string): Promise<void>;
  /** Removes members from the set at `key`. */
  srem(key: string, ...members: string[]): Promise<void>;
  /** The members of the set at `key` (empty when absent), in no particular order. */
  smembers(key: string): Promise<string[]>;
  /** Sets the score of a member of the sorted set at `key`; resolves true when the member was not there before. */
  zadd(key: string, score: number, member: string): Promise<boolean>;
  /** Members of the sorted set at `key` with a score of at most `maxScore`, lowest first, at most `limit`. */
  zrangeByScore(key: string, maxScore: number, limit: number): Promise<string[]>;
  /**
   * Removes a member only while its score is at most `maxScore`, atomically; resolves true when this call removed
   * it. Several processes racing for the same member: exactly one wins.
   */
  zremIfAtMost(key: string, member: string, maxScore: number): Promise<boolean>;
  /** Removes a member whatever its score; resolves true when it was there. */
  zrem(key: string, member: string): Promise<boolean>;
  /**
   * GET and SMEMBERS that may be answered from this process's memory, never staler than the store's own answer
   * except within the bounds of ADR 0167 (RedisStore: client-side caching with Redis's invalidations); for reads on
   * every request whose keys seldom change. MemoryStore: its own reads.
   */
  readonly cached: CachedReads;
  /** Resolves when the store answers; rejects with a {@link StoreUnavailableError} otherwise. */
  ping(): Promise<void>;
  /** Lets go of the connection. */
  close(): Promise<void>;
}

/** The reads of {@link KeyValueStore.cached}. */
export interface CachedReads {
  /** As {@link KeyValueStore.get}. */
  get(key: string): Promise<string | undefined>;
  /** As {@link KeyValueStore.smembers}. */
  smembers(key: string): Promise<string[]>;
  /** Drops `key` from this process's memory at once (a change this process made and must see on its next read). */
  forget(key: string): void;
  /** Reads answered from memory and from the store so far. */
  counts(): { memory: number; store: number };
}

/** The key-value store could not be reached or failed; the same call may work later. */
export class StoreUnavailableError extends Error {
  readonly retriable = true;

  constructor(
    readonly operation: string,
    cause: unknown,
  ) {
    super(`key-value store: ${operation} failed: ${cause instanceof Error ? cause.message : String(cause)}`, {
      cause,
    });
    this.name = 'StoreUnavailableError';
  }
}
