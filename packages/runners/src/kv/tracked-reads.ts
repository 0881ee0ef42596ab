import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { CachedReads } from './key-value-store.js';

/** Where Redis sends the invalidation messages of a tracking connection redirected to a subscriber (RESP2). */
const INVALIDATE = '__redis__:invalidate';
/** Reads kept in memory at most; the map is emptied when full. */
const MAX_VALUES = 50_000;

/** Options of {@link TrackedReads}. */
export interface TrackedReadsOptions {
  /** The prefix the connections add to every key (invalidation messages name the full key). */
  keyPrefix: string;
  /**
   * How long a read is answered from memory at most, even without an invalidation: the bound should an invalidation
   * be lost without the subscriber’s connection being seen to drop (default 10,000 ms, the access cache’s TTL).
   */
  maxAgeMs?: number;
  logger?: Logger;
  now?: () => number;
}

/**
 * GET and SMEMBERS answered from this process's memory while Redis vouches for them: Redis's server-assisted
 * client-side caching (CLIENT TRACKING, RESP2 redirect mode; ADR 0167). Reads go through a connection of their own
 * whose tracking is redirected to a subscriber of `__redis__:invalidate`; Redis then tells the subscriber of every
 * change, deletion or expiry of a key that connection read, whoever made it, and the key is dropped from memory.
 *
 * Nothing is answered from memory unless it is known current:
 * - a read is kept only when tracking was on before it was sent and no invalidation (of any key) and no connection
 *   change arrived while it was in flight, so an invalidation that overtakes its reply cannot be missed;
 * - either connection dropping (or reconnecting) empties the memory and stops it until tracking is on again;
 * - a kept read is used for `maxAgeMs` at most, the bound should an invalidation be lost silently.
 * While tracking is not on, every read goes to Redis through `direct`, as without this class.
 */
export class TrackedReads implements CachedReads {
  readonly #values = new Map<string, { value: string | string[] | undefined; at: number }>();
  readonly #maxAgeMs: number;
  readonly #now: () => number;
  /** Bumped on every connection change: a read begun under another epoch is not kept. */
  #epoch = 0;
  /** Invalidation messages so far: a read during which one arrived is not kept. */
  #invalidations = 0;
  #live = false;
  #subscriberId: number | undefined;
  #closed = false;
  /** Reads answered from memory so far, and from Redis (tests, metrics). */
  hits = 0;
  misses = 0;

  constructor(
    private readonly direct: Redis,
    private readonly reader: Redis,
    private readonly subscriber: Redis,
    private readonly options: TrackedReadsOptions,
  ) {
    this.#maxAgeMs = options.maxAgeMs ?? 10_000;
    this.#now = options.now ?? Date.now;
    subscriber.on('messageBuffer', (channel: Buffer, message: unknown) => {
      if (channel.toString() === INVALIDATE) this.#invalidate(message);
    });
    const lost = () => this.#stop();
    subscriber.on('close', lost);
    reader.on('close', lost);
    subscriber.on('ready', () => {
      this.#subscriberId = undefined;
      void this.#subscribe();
    });
    reader.on('ready', () => void this.#track());
    if (subscriber.status === 'ready') void this.#subscribe();
  }

  /** Whether reads are answered from memory now (tracking on, both connections up). */
  get live(): boolean {
    return this.#live;
  }

  /** The Redis client id of the invalidation subscriber (tests). */
  get subscriberId(): number | undefined {
    return this.#subscriberId;
  }

  get(key: string): Promise<string | undefined> {
    return this.#read(key, async (r) => (await r.get(key)) ?? undefined);
  }

  async smembers(key: string): Promise<string[]> {
    return [...((await this.#read(key, (r) => r.smembers(key))) ?? [])];
  }

  /** Drops `key` from this process's memory now (a change this process made and must see at once). */
  forget(key: string): void {
    this.#values.delete(this.options.keyPrefix + key);
  }

  counts(): { memory: number; store: number } {
    return { memory: this.hits, store: this.misses };
  }

  close(): void {
    this.#closed = true;
    this.#stop();
    this.reader.disconnect();
    this.subscriber.disconnect();
  }

  async #read<T extends string | string[] | undefined>(
    key: string,
    fetch: (r: Redis) => Promise<T>,
  ): Promise<T> {
    const full = this.options.keyPrefix + key;
    const now = this.#now();
    const kept = this.#live ? this.#values.get(full) : undefined;
    if (kept && now - kept.at < this.#maxAgeMs) {
      this.hits += 1;
      return kept.value as T;
    }
    this.misses += 1;
    if (!this.#live) return fetch(this.direct);
    const epoch = this.#epoch;
    const invalidations = this.#invalidations;
    const value = await fetch(this.reader);
    if (this.#live && epoch === this.#epoch && invalidations === this.#invalidations) {
      if (this.#values.size >= MAX_VALUES) this.#values.clear();
      this.#values.set(full, { value, at: now });
    }
    return value;
  }

  #invalidate(message: unknown): void {
    this.#invalidations += 1;
    // null: the whole database was flushed.
    if (!Array.isArray(message)) {
      this.#values.clear();
      return;
    }
    for (const key of message) this.#values.delete(String(key));
  }

  #stop(): void {
    this.#live = false;
    this.#epoch += 1;
    this.#values.clear();
  }

  async #subscribe(): Promise<void> {
    this.#stop();
    try {
      // The id first: a connection in subscriber mode answers nothing but (un)subscribe and ping.
      const id = Number(await this.subscriber.client('ID'));
      await this.subscriber.subscribe(INVALIDATE);
      this.#subscriberId = id;
      await this.#track();
    } catch (error) {
      this.options.logger?.warn(
        { error: String(error) },
        'redis invalidations not subscribed; reads go to redis',
      );
    }
  }

  async #track(): Promise<void> {
    this.#stop();
    const id = this.#subscriberId;
    const epoch = this.#epoch;
    if (this.#closed || id === undefined || this.reader.status !== 'ready') return;
    try {
      await this.reader.call('CLIENT', 'TRACKING', 'on', 'REDIRECT', String(id));
      // Still the same subscriber, and nothing dropped meanwhile.
      if (epoch === this.#epoch && id === this.#subscriberId && this.subscriber.status === 'ready') {
        this.#epoch += 1;
        this.#live = true;
        this.options.logger?.info('redis tracking on: repeated reads answered from memory');
      }
    } catch (error) {
      this.options.logger?.warn({ error: String(error) }, 'redis tracking not on; reads go to redis');
    }
  }
}
