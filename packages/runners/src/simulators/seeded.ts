import { createHash } from 'node:crypto';

/**
 * A number in [0, 1) fixed by the seed and the parts: the first four bytes of
 * SHA-256(`<seed>:<part1>:<part2>...`) read as a big-endian unsigned integer, divided by 2^32. Every answer the
 * simulators derive "at random" comes from this, so a test can compute the same value on its own.
 */
export function seededUnit(seed: string | number, ...parts: ReadonlyArray<string | number>): number {
  return (
    createHash('sha256')
      .update([seed, ...parts].join(':'))
      .digest()
      .readUInt32BE(0) /
    2 ** 32
  );
}

/** A short hex id fixed by the seed and the parts. */
export function seededId(seed: string | number, ...parts: ReadonlyArray<string | number>): string {
  return createHash('sha256')
    .update([seed, ...parts].join(':'))
    .digest('hex')
    .slice(0, 12);
}
