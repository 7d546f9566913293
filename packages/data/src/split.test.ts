import { describe, expect, it } from 'vitest';
import type { ImageSet } from './image-set';
import { concatImageSets, shuffleImageSet, stratifiedSplit, subset } from './split';
import { summarize } from './summary';

/** 100 images of 1×2×1: class c has 10·(c + 1) images (10, 20, 30, 40); pixel 0 holds the index. */
function skewed(): ImageSet {
  const labels: number[] = [];
  for (let c = 0; c < 4; c++) for (let k = 0; k < 10 * (c + 1); k++) labels.push(c);
  labels.sort((a, b) => ((a * 7919) % 13) - ((b * 7919) % 13)); // interleave classes
  const pixels = new Uint8Array(200);
  for (let i = 0; i < 100; i++) {
    pixels[2 * i] = i;
    pixels[2 * i + 1] = 255 - i;
  }
  return {
    count: 100,
    height: 1,
    width: 2,
    channels: 1,
    pixels,
    labels: Int32Array.from(labels),
    classNames: ['a', 'b', 'c', 'd'],
  };
}

describe('stratifiedSplit', () => {
  it('keeps class proportions exactly and partitions the set', () => {
    const set = skewed();
    const { train, validation, trainIndices, validationIndices } = stratifiedSplit(set, {
      fraction: 0.2,
      seed: 1,
    });
    expect(validation.count).toBe(20);
    expect(train.count).toBe(80);
    expect(summarize(validation).classCounts).toEqual([2, 4, 6, 8]);
    expect(summarize(train).classCounts).toEqual([8, 16, 24, 32]);
    const all = [...trainIndices, ...validationIndices].sort((a, b) => a - b);
    expect(all).toEqual(Array.from({ length: 100 }, (_, i) => i));
    // Images travel with their labels.
    for (let i = 0; i < validation.count; i++) {
      const original = validationIndices[i]!;
      expect(validation.pixels[2 * i]).toBe(original);
      expect(validation.labels[i]).toBe(set.labels[original]);
    }
  });

  it('hits an exact count with largest-remainder rounding', () => {
    const { validation } = stratifiedSplit(skewed(), { count: 15, seed: 3 });
    expect(validation.count).toBe(15);
    // Quotas 1.5, 3, 4.5, 6 → floors 1, 3, 4, 6 (14); the remaining one goes to the lower class of the tie.
    expect(summarize(validation).classCounts).toEqual([2, 3, 4, 6]);
  });

  it('is the same for the same seed and differs for another', () => {
    const a = stratifiedSplit(skewed(), { fraction: 0.3, seed: 5 }).validationIndices;
    const b = stratifiedSplit(skewed(), { fraction: 0.3, seed: 5 }).validationIndices;
    const c = stratifiedSplit(skewed(), { fraction: 0.3, seed: 6 }).validationIndices;
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
  });

  it('names bad sizes', () => {
    expect(() => stratifiedSplit(skewed(), { fraction: 1.5, seed: 0 })).toThrow(
      'stratifiedSplit: fraction 1.5 must be in [0, 1]. Pass e.g. { fraction: 0.1, seed: 0 }.',
    );
    expect(() => stratifiedSplit(skewed(), { count: 101, seed: 0 })).toThrow(
      'stratifiedSplit: count 101 must be a whole number in [0, 100] for a set of 100 images.',
    );
  });
});

describe('subset, concat, shuffle, summarize', () => {
  it('copies the chosen images in order', () => {
    const set = skewed();
    const part = subset(set, [5, 0, 5]);
    expect(Array.from(part.pixels)).toEqual([5, 250, 0, 255, 5, 250]);
    expect(Array.from(part.labels)).toEqual([set.labels[5], set.labels[0], set.labels[5]]);
    expect(() => subset(set, [100])).toThrow(
      'subset: index 100 (position 0) is outside [0, 100). Pass indices of the set.',
    );
  });

  it('concatenates and shuffles', () => {
    const set = skewed();
    const joined = concatImageSets([subset(set, [0, 1]), subset(set, [2])]);
    expect(Array.from(joined.pixels)).toEqual([0, 255, 1, 254, 2, 253]);
    const shuffled = shuffleImageSet(set, 9);
    expect(summarize(shuffled).classCounts).toEqual([10, 20, 30, 40]);
    expect(Array.from(shuffled.pixels.filter((_, i) => i % 2 === 0)).sort((a, b) => a - b)).toEqual(
      Array.from({ length: 100 }, (_, i) => i),
    );
    expect(Array.from(shuffleImageSet(set, 9).pixels)).toEqual(Array.from(shuffled.pixels));
  });

  it('summarizes counts, statistics and shape', () => {
    const summary = summarize(skewed());
    expect(summary).toMatchObject({
      count: 100,
      shape: { height: 1, width: 2, channels: 1 },
      classCounts: [10, 20, 30, 40],
    });
    expect(summary.mean).toBeCloseTo(0.5, 12); // each image holds i and 255 − i
    const constant = summarize({ ...skewed(), pixels: new Uint8Array(200) });
    expect([constant.mean, constant.std]).toEqual([0, 0]);
  });
});
