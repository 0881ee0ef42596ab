import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';

/** The random choices of the test-data generator, from a seeded generator (pure-rand's xoroshiro128+). */
export class SeededRandom {
  private readonly rng;

  /** @param seed An integer; only its low 32 bits count. */
  constructor(seed: number) {
    this.rng = xoroshiro128plus(seed | 0);
  }

  /** An integer from `min` to `max`, both included. */
  int(min: number, max: number): number {
    return uniformInt(this.rng, min, max);
  }

  /** True with probability `p` (in steps of 1/10000). */
  chance(p: number): boolean {
    return this.int(0, 9999) < p * 10000;
  }

  /** One element of a non-empty list. */
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  /** One of `choices`, each with its weight. */
  weighted<T>(choices: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of choices) total += w;
    let at = this.int(0, total - 1);
    for (const [value, w] of choices) {
      if (at < w) return value;
      at -= w;
    }
    return choices[choices.length - 1]![0];
  }

  /** `length` characters drawn from `alphabet`. */
  chars(alphabet: string, length: number): string {
    let s = '';
    for (let i = 0; i < length; i++) s += alphabet[this.int(0, alphabet.length - 1)];
    return s;
  }
}
