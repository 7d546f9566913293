import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { ImageSet } from '../image-set';
import { shuffleImageSet, stratifiedSplit } from '../split';
import { summarize } from '../summary';
import { readFashionMnistAll, splitFashionMnist } from './embedded';

function digest(set: ImageSet): string {
  return createHash('sha256')
    .update(set.pixels)
    .update(new Uint8Array(set.labels.buffer, set.labels.byteOffset, set.labels.byteLength))
    .digest('hex');
}

// One Fashion-MNIST load in this file.
describe('Fashion-MNIST data and split', () => {
  it('reads 70 000 images, skipping the two empty entries of class 0, and splits deterministically per seed', async () => {
    const { set, skippedEmpty } = await readFashionMnistAll();
    expect(set.count).toBe(70_000);
    expect(skippedEmpty).toEqual([
      { label: 0, entry: 1000 },
      { label: 0, entry: 7001 },
    ]);
    expect(summarize(set).classCounts).toEqual(new Array(10).fill(7000));
    // The first image of class 0 as stored in the package begins 0,0,0,0,0,0,0,9,8,0,0,34,29.
    expect(Array.from(set.pixels.subarray(0, 13))).toEqual([0, 0, 0, 0, 0, 0, 0, 9, 8, 0, 0, 34, 29]);

    const a = splitFashionMnist(set, 7);
    const b = splitFashionMnist(set, 7);
    const c = splitFashionMnist(set, 8);
    expect(digest(a.train)).toBe(digest(b.train));
    expect(digest(a.test)).toBe(digest(b.test));
    expect(digest(a.test)).not.toBe(digest(c.test));
    expect(summarize(c.test).classCounts).toEqual(new Array(10).fill(1000));
    expect(summarize(c.train).classCounts).toEqual(new Array(10).fill(6000));

    // The documented procedure, step by step, gives the same sets.
    const reference = stratifiedSplit(set, { count: 10_000, seed: 7 });
    expect(digest(shuffleImageSet(reference.train, 8))).toBe(digest(a.train));
    expect(digest(shuffleImageSet(reference.validation, 9))).toBe(digest(a.test));
  });
});
