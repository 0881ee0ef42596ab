import { createHmac, timingSafeEqual } from 'node:crypto';
import { ConfigError } from '@tm/contracts';
import type { KeyValueStore } from '../kv/key-value-store.js';

/** The environment variable holding the key that signs access entries; the security service and the ARM share it. */
export const ACCESS_CACHE_KEY_ENV = 'TM_ACCESS_CACHE_KEY';
const MIN_KEY_LENGTH = 32;

/**
 * The access-cache key from the environment: undefined when unset (no cache), a {@link ConfigError} when set but
 * shorter than 32 characters (a guessable key would let whoever writes to Redis sign entries).
 */
export function accessCacheKeyFromEnv(env: NodeJS.ProcessEnv = process.env): Buffer | undefined {
  const value = env.TM_ACCESS_CACHE_KEY;
  if (value === undefined || value === '') return undefined;
  if (value.length < MIN_KEY_LENGTH) {
    throw new ConfigError(ACCESS_CACHE_KEY_ENV, [
      {
        path: ACCESS_CACHE_KEY_ENV,
        message: `at least ${MIN_KEY_LENGTH} characters (e.g. openssl rand -hex 32)`,
      },
    ]);
  }
  return Buffer.from(value, 'utf8');
}

/** How many verified entry texts {@link AccessCache} keeps (about 150 bytes each). */
const VERIFIED_MAX = 20_000;

/** A remembered successful check: the token's operator, good until `validUntil` (epoch ms). */
export interface AccessEntry {
  operatorId: number;
  validUntil: number;
}

/**
 * The access cache (ADR 0125): the security service remembers each successful check of a token for `ttlMs` — never
 * beyond the token's expiry — under `access:<token hash>` in its Redis keys, and forgets it at logout and at any
 * refused check; the ARM reads the entry before asking the service. An entry is `operatorId.validUntil.mac`, the MAC
 * an HMAC-SHA256 of the token hash, operator and bound under a key only the two services hold (ADR 0126): whoever can
 * write to Redis but lacks the key cannot let a token in, and a copied entry lapses at its own `validUntil`.
 */
export class AccessCache {
  /**
   * Entry texts whose MAC this process has verified, by token hash: a poll that reads back the same text skips the
   * HMAC (the same text verifies the same way). Bounded; emptied when full.
   */
  readonly #verified = new Map<string, string>();

  constructor(
    private readonly store: KeyValueStore,
    private readonly key: Buffer,
    /** How long an entry is good for at most; the bound within which a lock takes effect. */
    readonly ttlMs: number,
  ) {}

  #mac(tokenHash: string, operatorId: number, validUntil: number): Buffer {
    return createHmac('sha256', this.key).update(`${tokenHash}.${operatorId}.${validUntil}`).digest();
  }

  /** Remembers that the token with this hash is the operator's and valid until `tokenExpiresAt` (as of `now`). */
  async remember(tokenHash: string, operatorId: number, tokenExpiresAt: number, now: number): Promise<void> {
    const validUntil = Math.min(now + this.ttlMs, tokenExpiresAt);
    if (validUntil <= now) return this.forget(tokenHash);
    const mac = this.#mac(tokenHash, operatorId, validUntil).toString('base64url');
    await this.store.set(`access:${tokenHash}`, `${operatorId}.${validUntil}.${mac}`, validUntil - now);
  }

  /** Forgets the token with this hash. */
  async forget(tokenHash: string): Promise<void> {
    await this.store.del(`access:${tokenHash}`);
  }

  /** Drops the entry of the token with this hash from this process's memory (the reader's, after a logout). */
  forgetHere(tokenHash: string): void {
    this.store.cached.forget(`access:${tokenHash}`);
  }

  /**
   * The entry of the token with this hash when there is one, its MAC is right and it is still good at `now`;
   * undefined otherwise (the caller asks the service). Rejects when the store cannot be read.
   */
  async lookup(tokenHash: string, now: number): Promise<AccessEntry | undefined> {
    // From this process's memory while Redis vouches for it (ADR 0167): a rewrite or deletion of the entry (a
    // refresh, a logout, a refusal) drops it here as soon as Redis's invalidation arrives.
    const value = await this.store.cached.get(`access:${tokenHash}`);
    const [id, until, mac, ...rest] = value?.split('.') ?? [];
    if (id === undefined || until === undefined || mac === undefined || rest.length > 0) return undefined;
    const operatorId = Number(id);
    const validUntil = Number(until);
    if (!Number.isSafeInteger(operatorId) || !Number.isSafeInteger(validUntil) || validUntil <= now)
      return undefined;
    if (this.#verified.get(tokenHash) !== value) {
      const given = Buffer.from(mac, 'base64url');
      const expected = this.#mac(tokenHash, operatorId, validUntil);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
      if (this.#verified.size >= VERIFIED_MAX) this.#verified.clear();
      this.#verified.set(tokenHash, value as string);
    }
    return { operatorId, validUntil };
  }
}
