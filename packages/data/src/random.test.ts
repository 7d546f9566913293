import { Rng } from '@gruvision/math';
import { describe, expect, it } from 'vitest';
import { GruDataError } from './errors';
import { SeededRandom, seededPermutation } from './random';

describe('SeededRandom', () => {
  it("is math's Rng: the same stream for the same seed, so datasets and splits keep their bytes", () => {
    for (const seed of [0, 1, 42, 2 ** 32 - 1, -7]) {
      const ours = new SeededRandom(seed);
      const math = new Rng(seed);
      for (let i = 0; i < 64; i++) expect(ours.nextUint32()).toBe(math.nextUint32());
    }
    // A permutation is Fisher–Yates over that stream: every index once.
    const p = seededPermutation(100, 9);
    expect([...p].sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect([...p]).toEqual([...new Rng(9).shuffle(Int32Array.from({ length: 100 }, (_, i) => i))]);
  });

  it('refuses a seed that is not a finite number with GruDataError INVALID_ARGUMENT', () => {
    expect(() => new SeededRandom(Number.NaN)).toThrow(GruDataError);
    expect(() => new SeededRandom(Number.POSITIVE_INFINITY)).toThrow(
      'A seed must be a finite number, got Infinity. Pass an integer.',
    );
  });
});
