import { randomBytes, type ScryptOptions, scrypt, timingSafeEqual } from 'node:crypto';

/** scrypt's cost parameters (`security.password` of the config). */
export interface ScryptCost {
  /** N: CPU and memory cost, a power of two. */
  cost: number;
  /** r. */
  blockSize: number;
  /** p. */
  parallelization: number;
}

/** RFC 7914's interactive-login figure, and 32 MiB of memory per hash: the default of `security.password`. */
export const DEFAULT_SCRYPT_COST: ScryptCost = { cost: 32_768, blockSize: 8, parallelization: 1 };

const SALT_BYTES = 16;
const KEY_BYTES = 32;
const SCHEME = 'scrypt';

function derive(password: string, salt: Buffer, c: ScryptCost): Promise<Buffer> {
  const options: ScryptOptions = {
    N: c.cost,
    r: c.blockSize,
    p: c.parallelization,
    // Node refuses more than 32 MiB by default; allow what the parameters need, with room.
    maxmem: 256 * c.cost * c.blockSize * c.parallelization + 1024 * 1024,
  };
  return new Promise((resolve, reject) =>
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, options, (error, key) =>
      error ? reject(error) : resolve(key),
    ),
  );
}

/**
 * Hashes and checks operators' passwords with scrypt (node:crypto), the slow KDF DESIGN §7 asks for. A stored hash
 * names its parameters — `scrypt$N$r$p$salt$key`, salt and key in base64 — so raising the cost applies to new
 * passwords while old ones still verify. Comparison is constant-time.
 */
export class PasswordHasher {
  /** A hash of a random password: verified against when the login is unknown, so timing tells nothing. */
  #decoy: Promise<string> | undefined;

  constructor(readonly cost: ScryptCost = DEFAULT_SCRYPT_COST) {}

  /** The stored form of `password`, with a fresh random salt. */
  async hash(password: string): Promise<string> {
    const salt = randomBytes(SALT_BYTES);
    const key = await derive(password, salt, this.cost);
    const c = this.cost;
    return [
      SCHEME,
      c.cost,
      c.blockSize,
      c.parallelization,
      salt.toString('base64'),
      key.toString('base64'),
    ].join('$');
  }

  /** True when `password` matches `stored`; false for a wrong password or a stored value of another shape. */
  async verify(password: string, stored: string): Promise<boolean> {
    const parts = stored.split('$');
    if (parts.length !== 6 || parts[0] !== SCHEME) return false;
    const [, n, r, p, salt, key] = parts as [string, string, string, string, string, string];
    const expected = Buffer.from(key, 'base64');
    const cost = { cost: Number(n), blockSize: Number(r), parallelization: Number(p) };
    if (!Object.values(cost).every((v) => Number.isInteger(v) && v > 0) || expected.length !== KEY_BYTES)
      return false;
    const actual = await derive(password, Buffer.from(salt, 'base64'), cost);
    return timingSafeEqual(actual, expected);
  }

  /** Spends the time of one verification and answers false: for a login that does not exist. */
  async verifyDecoy(password: string): Promise<false> {
    this.#decoy ??= this.hash(randomBytes(16).toString('hex'));
    await this.verify(password, await this.#decoy);
    return false;
  }
}
