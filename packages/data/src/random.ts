import { GruDataError } from './errors';

/**
 * The seeded generator of `@gruvision/data`: xoshiro128** seeded through splitmix32 — the same
 * algorithm and stream as `Rng` in `@gruvision/math` (this package depends on nothing of ours, so it
 * carries its own copy). Splits, shuffles, permutations and augmentation all draw from it, so one
 * seed gives the same result in Node and in browsers.
 */
export class SeededRandom {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  constructor(seed: number) {
    if (!Number.isFinite(seed)) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `A seed must be a finite number, got ${seed}. Pass an integer.`,
      );
    }
    let x = Math.trunc(seed) >>> 0;
    const splitmix = (): number => {
      x = (x + 0x9e3779b9) | 0;
      let z = x;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.s0 = splitmix();
    this.s1 = splitmix();
    this.s2 = splitmix();
    this.s3 = splitmix();
  }

  /** A uniformly distributed unsigned 32-bit integer. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5), 7), 9) >>> 0;
    const t = this.s1 << 9;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 ^= t;
    this.s3 = rotl(this.s3, 11);
    return result;
  }

  /** A float uniformly distributed in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** An integer uniformly distributed in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  /** Shuffles `array` in place (Fisher–Yates from the end, `j = int(i + 1)`) and returns it. */
  shuffle<T extends { length: number; [i: number]: unknown }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const tmp = array[i];
      array[i] = array[j];
      array[j] = tmp;
    }
    return array;
  }
}

function rotl(x: number, k: number): number {
  return (x << k) | (x >>> (32 - k));
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
