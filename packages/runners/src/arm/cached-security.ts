import type { Logger } from 'pino';
import type { AccessCache } from '../security/access-cache.js';
import type { AccessOutcome, LoginOutcome, LogoutOutcome } from '../security/security-service.js';
import { tokenHash } from '../security/tokens.js';
import type { ArmMetrics } from './arm-metrics.js';
import type { SecurityPort } from './security-client.js';

/** How many tokens' hashes {@link CachedSecurity} keeps (about 200 bytes each); emptied when full. */
const HASHES_MAX = 20_000;

/** What {@link CachedSecurity} needs besides the service and the cache. */
export interface CachedSecurityOptions {
  /** The ARM's clock, epoch ms (default: the system clock). */
  now?: () => number;
  /** An entry with less than this left is refreshed in the background (default: half the cache's TTL). */
  refreshBeforeMs?: number;
  logger?: Logger;
  metrics?: ArmMetrics;
}

/**
 * The ARM's access check through the security service's access cache (ADR 0125): a request whose token has a good
 * signed entry in Redis is let in on it, without a call; a token without one (or with a forged, stale or unreadable
 * one) is checked by the service over HTTP, which remembers it when it is good. Nothing here says yes on its own:
 * a missing entry, a bad MAC or Redis down all mean "ask the service", and the service down means 503, as before.
 *
 * An entry with less than `refreshBeforeMs` left is refreshed by one background check with `updateExpire` (one per
 * token at a time), so a polling operator's token keeps sliding (the service writes the expiry once per slide step)
 * and their requests seldom wait for a call. A logout waits for a refresh of its token in flight, so that refresh
 * cannot remember the token after the service forgot it.
 */
export class CachedSecurity implements SecurityPort {
  readonly #refreshing = new Map<string, Promise<void>>();
  /**
   * Token → its SHA-256 (the access entry's key), so a polling operator's token is hashed once, not on every request
   * (ADR 0194). Only a name for the lookup: the entry, its MAC and its bound are still checked on every request.
   */
  readonly #hashes = new Map<string, string>();
  readonly #now: () => number;
  readonly #refreshBeforeMs: number;
  #cacheDown = false;

  constructor(
    private readonly service: SecurityPort,
    private readonly cache: AccessCache,
    private readonly options: CachedSecurityOptions = {},
  ) {
    this.#now = options.now ?? Date.now;
    this.#refreshBeforeMs = options.refreshBeforeMs ?? cache.ttlMs / 2;
  }

  login(request: { login: string; password: string; clientAddress: string }): Promise<LoginOutcome> {
    return this.service.login(request);
  }

  async logout(token: string): Promise<LogoutOutcome> {
    const hash = this.#hashOf(token);
    this.#hashes.delete(token);
    await this.#refreshing.get(hash);
    try {
      return await this.service.logout(token);
    } finally {
      // The service deleted the entry; this process sees it gone on the very next request, without waiting for
      // Redis's invalidation (ADR 0167).
      this.cache.forgetHere(hash);
    }
  }

  async checkAccess(token: string, updateExpire: boolean): Promise<AccessOutcome> {
    const hash = this.#hashOf(token);
    const now = this.#now();
    const entry = await this.cache.lookup(hash, now).then(
      (found) => {
        this.#cacheWorks(true);
        return found;
      },
      (error: unknown) => {
        this.#cacheWorks(false, error);
        return undefined;
      },
    );
    if (!entry) {
      this.options.metrics?.accessChecks.inc({ via: 'service' });
      return this.service.checkAccess(token, updateExpire);
    }
    if (entry.validUntil - now < this.#refreshBeforeMs) this.#refresh(hash, token);
    this.options.metrics?.accessChecks.inc({ via: 'cache' });
    return { code: 'OK', operatorId: entry.operatorId };
  }

  ping(): Promise<void> {
    return this.service.ping();
  }

  async close(): Promise<void> {
    await Promise.allSettled(this.#refreshing.values());
    await this.service.close?.();
  }

  /** Background refreshes in flight (tests). */
  get refreshing(): number {
    return this.#refreshing.size;
  }

  #hashOf(token: string): string {
    let hash = this.#hashes.get(token);
    if (hash === undefined) {
      hash = tokenHash(token);
      if (this.#hashes.size >= HASHES_MAX) this.#hashes.clear();
      this.#hashes.set(token, hash);
    }
    return hash;
  }

  #refresh(hash: string, token: string): void {
    if (this.#refreshing.has(hash)) return;
    const done = this.service
      .checkAccess(token, true)
      .then(
        () => {},
        // The entry lapses; the operator's next request asks the service and gets its answer (or 503).
        (error: unknown) => this.options.logger?.debug({ error: String(error) }, 'access refresh failed'),
      )
      .finally(() => this.#refreshing.delete(hash));
    this.#refreshing.set(hash, done);
  }

  /** Logs a change between the cache readable and not, once each way. */
  #cacheWorks(works: boolean, error?: unknown): void {
    if (works === !this.#cacheDown) return;
    this.#cacheDown = !works;
    if (works) this.options.logger?.info('access cache readable again');
    else
      this.options.logger?.warn(
        { error: String(error) },
        'access cache unreadable; every request is checked with the security service',
      );
  }
}
