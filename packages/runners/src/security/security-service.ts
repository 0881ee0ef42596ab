import { createHash } from 'node:crypto';
import type { SecurityConfig } from '@tm/contracts';
import type { Knex } from 'knex';
import type { KeyValueStore } from '../kv/key-value-store.js';
import type { AccessCache } from './access-cache.js';
import { checkToken, deleteToken, purgeExpiredTokens, storeToken } from './auths-db.js';
import { findOperatorForLogin } from './operators-db.js';
import { PasswordHasher } from './password.js';
import { newToken, tokenHash } from './tokens.js';

/** What a login came to. */
export type LoginOutcome =
  | { code: 'OK'; token: string; operatorId: number; expiresAt: Date }
  /** Unknown login or wrong password: the same answer, in the same time, for both. */
  | { code: 'INVALID_CREDENTIALS' }
  /** The right password of a locked operator. */
  | { code: 'OPERATOR_LOCKED' }
  /** Too many attempts for this login or from this address; nothing was checked. */
  | { code: 'TOO_MANY_ATTEMPTS'; retryAfterMs: number };

/** What a token is worth (checkAccess). The operator id comes with every answer about a known token. */
export type AccessOutcome =
  | { code: 'OK'; operatorId: number }
  | { code: 'ACCESS_DENIED' }
  | { code: 'TOKEN_EXPIRED'; operatorId: number }
  | { code: 'OPERATOR_LOCKED'; operatorId: number };

/** What a logout came to: OK when the token existed and is deleted now. */
export type LogoutOutcome = { code: 'OK' } | { code: 'ACCESS_DENIED' };

/** The security service's three operations (thesis §2.6.4), over HTTP or in-process. */
export interface SecurityService {
  login(request: { login: string; password: string; clientAddress: string }): Promise<LoginOutcome>;
  logout(token: string): Promise<LogoutOutcome>;
  checkAccess(token: string, updateExpire: boolean): Promise<AccessOutcome>;
  /** Deletes tokens expired for a day or more; resolves with how many. */
  purgeExpired(): Promise<number>;
}

/** What {@link createSecurityService} needs. */
export interface SecurityServiceOptions {
  config: SecurityConfig;
  db: Knex;
  /** Login-attempt counters. */
  store: KeyValueStore;
  /** Default: the system clock. */
  clock?: () => Date;
  /** Default: one with `config.password`'s cost. */
  hasher?: PasswordHasher;
  /** Where successful checks are remembered for the ARM (ADR 0125); none: nothing is remembered. */
  accessCache?: AccessCache;
  /**
   * Told when the access cache cannot be written: the answer stands (a check that could not be remembered is asked
   * again; a logout or refusal that could not be forgotten lapses within the cache's TTL).
   */
  onAccessCacheError?: (operation: 'remember' | 'forget', error: unknown) => void;
}

const DAY_MS = 86_400_000;

/**
 * The security service (tm-security-service): login checks the password against TM$OPERATORS with scrypt and
 * issues a random token stored hashed in TM$OPERATOR_AUTHS; checkAccess answers for a token and slides its expiry;
 * logout deletes it. Login attempts are counted per login and per client address in the key-value store before
 * any password is checked, so a guesser is refused without the KDF running (ADR 0091).
 */
export function createSecurityService(options: SecurityServiceOptions): SecurityService {
  const { config, db, store, accessCache } = options;
  const clock = options.clock ?? (() => new Date());
  const cacheFailed = options.onAccessCacheError ?? (() => {});
  const remember = async (hash: string, operatorId: number, expiresAt: Date, now: Date) => {
    await accessCache
      ?.remember(hash, operatorId, expiresAt.getTime(), now.getTime())
      .catch((error: unknown) => cacheFailed('remember', error));
  };
  const forget = async (hash: string) => {
    await accessCache?.forget(hash).catch((error: unknown) => cacheFailed('forget', error));
  };
  const hasher = options.hasher ?? new PasswordHasher(config.password);
  const { perLogin, perAddress } = config.loginLimits;
  // Logins may be 2048 characters; the counter key is a digest of it.
  const loginKey = (login: string) => `login:${createHash('sha256').update(login).digest('hex')}`;
  const addressKey = (address: string) => `addr:${address}`;

  return {
    async login({ login, password, clientAddress }) {
      const [byLogin, byAddress] = await Promise.all([
        store.hit(loginKey(login), perLogin.windowMs),
        store.hit(addressKey(clientAddress), perAddress.windowMs),
      ]);
      const over = [
        byLogin.count > perLogin.max ? byLogin.ttlMs : 0,
        byAddress.count > perAddress.max ? byAddress.ttlMs : 0,
      ];
      if (over.some((ms) => ms > 0)) return { code: 'TOO_MANY_ATTEMPTS', retryAfterMs: Math.max(...over) };

      const operator = await findOperatorForLogin(db, login);
      const matches = operator
        ? await hasher.verify(password, operator.passwordHash)
        : await hasher.verifyDecoy(password);
      if (!operator || !matches) return { code: 'INVALID_CREDENTIALS' };
      if (operator.locked) return { code: 'OPERATOR_LOCKED' };

      const token = newToken();
      const issuedAt = clock();
      const expiresAt = new Date(issuedAt.getTime() + Math.min(config.token.idleMs, config.token.maxMs));
      const hash = tokenHash(token);
      await storeToken(db, { tokenHash: hash, operatorId: operator.id, issuedAt, expiresAt });
      await store.del(loginKey(login));
      await remember(hash, operator.id, expiresAt, issuedAt);
      return { code: 'OK', token, operatorId: operator.id, expiresAt };
    },

    async logout(token) {
      const hash = tokenHash(token);
      // Forgotten before and after the delete: a check remembered in between (one in flight) is forgotten too.
      await forget(hash);
      const deleted = await deleteToken(db, hash);
      await forget(hash);
      return deleted ? { code: 'OK' } : { code: 'ACCESS_DENIED' };
    },

    async checkAccess(token, updateExpire) {
      const hash = tokenHash(token);
      const now = clock();
      const check = await checkToken(db, hash, now, config.token, updateExpire);
      if (check.kind === 'valid') await remember(hash, check.operatorId, check.expiresAt, now);
      else if (check.kind !== 'unknown') await forget(hash);
      switch (check.kind) {
        case 'valid':
          return { code: 'OK', operatorId: check.operatorId };
        case 'expired':
          return { code: 'TOKEN_EXPIRED', operatorId: check.operatorId };
        case 'locked':
          return { code: 'OPERATOR_LOCKED', operatorId: check.operatorId };
        default:
          return { code: 'ACCESS_DENIED' };
      }
    },

    purgeExpired: () => purgeExpiredTokens(db, new Date(clock().getTime() - DAY_MS)),
  };
}
