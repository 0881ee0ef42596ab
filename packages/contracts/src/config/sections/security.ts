import { z } from 'zod';
import { commaList, millis } from './common.js';

/**
 * `security`: the security service (tm-security-service, thesis §2.6.4, Appendices Б–Г). Owned by @tm/runners.
 * Passwords are hashed with scrypt (node:crypto), tokens are random and stored hashed, with a sliding expiry; login
 * attempts are counted per login and per client address in Redis (ADR 0091).
 */
const port = z.number().int().min(0).max(65_535);

const WindowLimitSchema = z
  .object({
    /** Attempts allowed in one window; the next one is refused until the window ends. */
    max: z.number().int().positive(),
    /** Length of the window. */
    'window-ms': millis.min(1000),
  })
  .strict()
  .transform((l) => ({ max: l.max, windowMs: l['window-ms'] }));

export const SecuritySchema = z
  .object({
    host: z.string().min(1).default('127.0.0.1'),
    port: port.default(7201),
    /**
     * Addresses (or CIDR ranges) of proxies whose X-Forwarded-For the service believes: the ARM forwards the
     * operator's address that way, so the per-address login limit counts operators, not the ARM.
     */
    'trust-proxy': commaList.default(['127.0.0.1', '::1']),
    /** Largest request body accepted (413 above it). */
    'body-limit-bytes': z.number().int().min(1024).default(16_384),
    token: z
      .object({
        /** A token expires this long after its last use (checkAccess with updateExpire slides it). */
        'idle-minutes': z.number().int().positive().default(60),
        /** ... and in any case this long after login. */
        'max-hours': z.number().positive().default(12),
        /** A check slides the expiry only when it moved at least this far, so polling does not write on every request. */
        'slide-step-seconds': z.number().int().min(0).default(30),
      })
      .strict()
      .prefault({}),
    password: z
      .object({
        /** scrypt N (CPU/memory cost, a power of two); memory used is 128 × N × block-size bytes. */
        'scrypt-cost': z
          .number()
          .int()
          .min(2)
          .refine((n) => (n & (n - 1)) === 0, 'a power of two')
          .default(32_768),
        'scrypt-block-size': z.number().int().positive().default(8),
        'scrypt-parallelization': z.number().int().positive().default(1),
      })
      .strict()
      .prefault({}),
    'login-limits': z
      .object({
        /** Per login (whether it exists or not). A successful login clears its count. */
        'per-login': WindowLimitSchema.prefault({ max: 10, 'window-ms': 900_000 }),
        /** Per client address. */
        'per-address': WindowLimitSchema.prefault({ max: 100, 'window-ms': 900_000 }),
      })
      .strict()
      .prefault({}),
    /** How often expired tokens are deleted. */
    'purge-interval-ms': millis.min(1000).default(3_600_000),
    /** Prefix of the service's Redis keys. */
    'redis-key-prefix': z.string().default('tm:security:'),
    /**
     * How long a successful check is remembered in Redis for the ARM (ADR 0125): the longest a locked operator's
     * token can still be let in; never beyond the token's own expiry. 0 turns the access cache off. The entries
     * are signed with $TM_ACCESS_CACHE_KEY (ADR 0126); without it there is no cache either.
     */
    'access-cache-ttl-ms': z.number().int().min(0).max(60_000).default(10_000),
  })
  .strict()
  .transform((s) => ({
    host: s.host,
    port: s.port,
    trustProxy: s['trust-proxy'],
    bodyLimitBytes: s['body-limit-bytes'],
    token: {
      idleMs: s.token['idle-minutes'] * 60_000,
      maxMs: Math.round(s.token['max-hours'] * 3_600_000),
      slideStepMs: s.token['slide-step-seconds'] * 1000,
    },
    password: {
      cost: s.password['scrypt-cost'],
      blockSize: s.password['scrypt-block-size'],
      parallelization: s.password['scrypt-parallelization'],
    },
    loginLimits: { perLogin: s['login-limits']['per-login'], perAddress: s['login-limits']['per-address'] },
    purgeIntervalMs: s['purge-interval-ms'],
    redisKeyPrefix: s['redis-key-prefix'],
    accessCacheTtlMs: s['access-cache-ttl-ms'],
  }));

export type SecurityConfig = z.output<typeof SecuritySchema>;
