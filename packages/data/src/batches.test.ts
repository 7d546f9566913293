import { describe, expect, it } from 'vitest';
import { shiftImage } from './augment';
import { batches, countBatches } from './batches';
import type { ImageSet } from './image-set';

/** 10 images of 2×3×1; every pixel of image i holds i, label i mod 3. */
function numbered(count = 10): ImageSet {
  const pixels = new Uint8Array(count * 6);
  for (let i = 0; i < count; i++) pixels.fill(i, i * 6, i * 6 + 6);
  return {
    count,
    height: 2,
    width: 3,
    channels: 1,
    pixels,
    labels: Int32Array.from({ length: count }, (_, i) => i % 3),
    classNames: ['a', 'b', 'c'],
  };
}

const view = { mode: 'rows' as const };

describe('batches', () => {
  it('yields [B, T, F] floats and labels, every image once per epoch', () => {
    const set = numbered();
    const all = [...batches(set, { batchSize: 4, view, seed: 1 })];
    expect(all.map((b) => b.size)).toEqual([4, 4, 2]);
    expect(all[0]!.x.length).toBe(4 * 2 * 3);
    expect(all[2]!.x.length).toBe(2 * 2 * 3);
    const seen: number[] = [];
    for (const batch of all) {
      for (let i = 0; i < batch.size; i++) {
        const index = batch.indices[i]!;
        seen.push(index);
        expect(batch.y[i]).toBe(index % 3);
        expect(Array.from(batch.x.subarray(i * 6, i * 6 + 6), (v) => Math.round(v * 255))).toEqual(
          new Array(6).fill(index),
        );
      }
    }
    expect(seen.slice().sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(countBatches(10, { batchSize: 4 })).toBe(3);
  });

  it('shuffles the same way for the same seed and epoch, differently otherwise', () => {
    const order = (seed: number, epoch: number) =>
      [...batches(numbered(50), { batchSize: 7, view, seed, epoch })].flatMap((b) => Array.from(b.indices));
    expect(order(3, 0)).toEqual(order(3, 0));
    expect(order(3, 1)).toEqual(order(3, 1));
    expect(order(3, 1)).not.toEqual(order(3, 0));
    expect(order(4, 0)).not.toEqual(order(3, 0));
    const iterable = batches(numbered(50), { batchSize: 7, view, seed: 3 });
    expect([...iterable].flatMap((b) => Array.from(b.indices))).toEqual(
      [...iterable].flatMap((b) => Array.from(b.indices)),
    );
  });

  it('keeps set order without shuffle and drops the short batch with dropLast', () => {
    const all = [...batches(numbered(), { batchSize: 4, view, shuffle: false, dropLast: true })];
    expect(all.map((b) => Array.from(b.indices))).toEqual([
      [0, 1, 2, 3],
      [4, 5, 6, 7],
    ]);
    expect(countBatches(10, { batchSize: 4, dropLast: true })).toBe(2);
    const some = [...batches(numbered(), { batchSize: 3, view, shuffle: false, indices: [9, 2, 4] })];
    expect(some.map((b) => Array.from(b.indices))).toEqual([[9, 2, 4]]);
  });

  it('applies the view and normalization', () => {
    const set = numbered(2);
    set.pixels.set([0, 1, 2, 3, 4, 5], 0);
    const [batch] = [
      ...batches(set, {
        batchSize: 2,
        view: { mode: 'columns', normalize: { mean: 0, std: 0.5 } },
        shuffle: false,
      }),
    ];
    expect(Array.from(batch!.x.subarray(0, 6), (v) => Math.round((v * 255) / 2))).toEqual([0, 3, 1, 4, 2, 5]);
  });

  it('augments with seeded shifts that keep the ink', () => {
    const set: ImageSet = {
      count: 1,
      height: 5,
      width: 5,
      channels: 1,
      pixels: new Uint8Array(25),
      labels: Int32Array.from([0]),
      classNames: ['a'],
    };
    set.pixels[12] = 255; // centre pixel
    const positions = new Set<number>();
    for (let epoch = 0; epoch < 40; epoch++) {
      const [batch] = [...batches(set, { batchSize: 1, view, seed: 2, epoch, augment: { maxShift: 1 } })];
      const lit = Array.from(batch!.x).flatMap((v, i) => (v > 0 ? [i] : []));
      expect(lit).toHaveLength(1);
      const y = Math.floor(lit[0]! / 5);
      const x = lit[0]! % 5;
      expect(Math.abs(x - 2)).toBeLessThanOrEqual(1);
      expect(Math.abs(y - 2)).toBeLessThanOrEqual(1);
      positions.add(lit[0]!);
    }
    expect(positions.size).toBe(9);
  });

  it('shifts images and names bad options', () => {
    const out = new Uint8Array(6);
    shiftImage(out, Uint8Array.from([1, 2, 3, 4, 5, 6]), 0, 2, 3, 1, 1, -1);
    expect(Array.from(out)).toEqual([0, 4, 5, 0, 0, 0]);
    expect(() => batches(numbered(), { batchSize: 0, view })).toThrow(
      'batches: batchSize 0 must be a positive whole number.',
    );
  });
});
