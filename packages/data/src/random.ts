import { Rng } from '@gruvision/math';
import { GruDataError } from './errors';

/**
 * The seeded generator of `@gruvision/data`: `Rng` of `@gruvision/math` (xoshiro128** seeded through
 * splitmix32; one generator for the whole project), refusing a bad seed with this package's error.
 * Splits, shuffles, permutations and augmentation all draw from it, so one seed gives the same result
 * in Node and in browsers, and the same stream as `new Rng(seed)`.
 */
export class SeededRandom extends Rng {
  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `A seed must be a finite number, got ${seed}. Pass an integer.`,
      );
    }
    super(seed);
  }
}

/** `[0, 1, …, length − 1]` shuffled by `new SeededRandom(seed).shuffle` — a fixed, seeded permutation. */
export function seededPermutation(length: number, seed: number): Int32Array {
  const order = new Int32Array(length);
  for (let i = 0; i < length; i++) order[i] = i;
  return new SeededRandom(seed).shuffle(order);
}

/**
 * Combines a seed and a stream number (an epoch, say) into one 32-bit seed, so that
 * `(seed, 0), (seed, 1), …` give unrelated streams. Deterministic and documented: murmur3's finalizer
 * applied to `seed ^ imul(stream + 1, 0x9e3779b9)`.
 */
export function mixSeed(seed: number, stream: number): number {
  let h = (Math.trunc(seed) ^ Math.imul(Math.trunc(stream) + 1, 0x9e3779b9)) | 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}
