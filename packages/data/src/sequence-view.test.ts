import { describe, expect, it } from 'vitest';
import type { ImageSet } from './image-set';
import { seededPermutation } from './random';
import { computeNormalization, fillSequence, imageToSequence, viewShape } from './sequence-view';

/** One 2×4×1 image whose byte at (y, x) is 10·y + x, next to an image of 255s. */
const set: ImageSet = {
  count: 2,
  height: 2,
  width: 4,
  channels: 1,
  pixels: Uint8Array.from([0, 1, 2, 3, 10, 11, 12, 13, 255, 255, 255, 255, 255, 255, 255, 255]),
  labels: Int32Array.from([0, 1]),
  classNames: ['a', 'b'],
};

function bytesOf(view: Parameters<typeof fillSequence>[4], index = 0): number[] {
  const { timeSteps, features } = viewShape(view, set);
  const out = new Float32Array(timeSteps * features + 1).fill(-1);
  fillSequence(out, 1, set, index, view);
  expect(out[0]).toBe(-1);
  return Array.from(out.subarray(1), (v) => Math.round(v * 255));
}

describe('sequence views', () => {
  it('rows: T = height, F = width·channels', () => {
    expect(viewShape({ mode: 'rows' }, set)).toEqual({ timeSteps: 2, features: 4 });
    expect(bytesOf({ mode: 'rows' })).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
  });

  it('columns: T = width, each step a column top to bottom', () => {
    expect(viewShape({ mode: 'columns' }, set)).toEqual({ timeSteps: 4, features: 2 });
    expect(bytesOf({ mode: 'columns' })).toEqual([0, 10, 1, 11, 2, 12, 3, 13]);
  });

  it('pixels: T = height·width, F = channels', () => {
    expect(viewShape({ mode: 'pixels' }, set)).toEqual({ timeSteps: 8, features: 1 });
    expect(bytesOf({ mode: 'pixels' })).toEqual([0, 1, 2, 3, 10, 11, 12, 13]);
    expect(viewShape({ mode: 'pixels' }, { height: 28, width: 28, channels: 3 })).toEqual({
      timeSteps: 784,
      features: 3,
    });
  });

  it('patches: p×p tiles in raster order, each tile row by row', () => {
    expect(viewShape({ mode: 'patches', patchSize: 2 }, set)).toEqual({ timeSteps: 2, features: 4 });
    expect(bytesOf({ mode: 'patches', patchSize: 2 })).toEqual([0, 1, 10, 11, 2, 3, 12, 13]);
    expect(() => viewShape({ mode: 'patches', patchSize: 3 }, set)).toThrow(
      "Sequence view 'patches': patchSize 3 does not divide the 2×4 image. Pick a patch size that divides both sides.",
    );
    expect(() => viewShape({ mode: 'patches' }, set)).toThrow(
      /needs a positive whole patchSize, got undefined/,
    );
  });

  it('interleaves channels inside a step', () => {
    const rgb = { width: 2, height: 1, channels: 3, pixels: Uint8Array.from([1, 2, 3, 4, 5, 6]) };
    const rows = imageToSequence(rgb, { mode: 'rows' });
    expect(Array.from(rows, (v) => Math.round(v * 255))).toEqual([1, 2, 3, 4, 5, 6]);
    const columns = imageToSequence(rgb, { mode: 'columns' });
    expect(Array.from(columns, (v) => Math.round(v * 255))).toEqual([1, 2, 3, 4, 5, 6]);
  });

  it('permutes steps by the seeded permutation, the same every time', () => {
    const perm = Array.from(seededPermutation(8, 7));
    expect(perm.slice().sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(perm).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    const plain = bytesOf({ mode: 'pixels' });
    const permuted = bytesOf({ mode: 'pixels', permutationSeed: 7 });
    expect(permuted).toEqual(perm.map((p) => plain[p]));
    expect(bytesOf({ mode: 'pixels', permutationSeed: 7 })).toEqual(permuted);
    expect(bytesOf({ mode: 'pixels', permutationSeed: 8 })).not.toEqual(permuted);
  });

  it('scales to [0, 1] and normalizes by mean and std', () => {
    const out = new Float32Array(8);
    fillSequence(out, 0, set, 1, { mode: 'rows' });
    expect(Array.from(out)).toEqual(new Array(8).fill(1));
    fillSequence(out, 0, set, 1, { mode: 'rows', normalize: { mean: 0.5, std: 0.25 } });
    expect(out[0]).toBeCloseTo(2, 6);
    fillSequence(out, 0, set, 0, { mode: 'rows', normalize: { mean: 0.5, std: 0.25 } });
    expect(out[0]).toBeCloseTo(-2, 6);
  });

  it('names bad arguments', () => {
    expect(() => viewShape({ mode: 'diagonal' as 'rows' }, set)).toThrow(
      "Sequence view mode 'diagonal' is unknown. Use one of: rows, columns, pixels, patches.",
    );
    expect(() => fillSequence(new Float32Array(4), 0, set, 0, { mode: 'rows' })).toThrow(
      'fillSequence: 8 floats at offset 0 do not fit in an output of 4. Allocate batch·timeSteps·features floats.',
    );
    expect(() => fillSequence(new Float32Array(8), 0, set, 2, { mode: 'rows' })).toThrow(
      'fillSequence: image index 2 is outside [0, 2). Pass an index of the set.',
    );
    expect(() => viewShape({ mode: 'rows', normalize: { mean: 0, std: 0 } }, set)).toThrow(
      /normalize needs a finite mean and a positive std, got mean 0, std 0/,
    );
  });
});

describe('computeNormalization', () => {
  it('is the mean and population std of bytes / 255', () => {
    const values = Array.from(set.pixels, (v) => v / 255);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    const result = computeNormalization(set);
    expect(result.mean).toBeCloseTo(mean, 12);
    expect(result.std).toBeCloseTo(std, 12);
  });

  it('gives std 1 for a constant set so normalizing never divides by zero', () => {
    expect(computeNormalization({ pixels: new Uint8Array(10).fill(51) })).toEqual({ mean: 0.2, std: 1 });
  });
});
