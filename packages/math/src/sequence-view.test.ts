import { describe, expect, it } from 'vitest';
import { Rng } from './rng';
import { viewDimensions, viewGather, viewScale } from './sequence-view';

// A 2×3 image with 2 channels, HWC: byte (y, x, c) sits at (y·3 + x)·2 + c.
const image = { height: 2, width: 3, channels: 2 };
const at = (y: number, x: number, c: number) => (y * 3 + x) * 2 + c;

describe('the view gather', () => {
  it('reads rows, columns (top to bottom) and pixels in the documented order', () => {
    expect(viewDimensions({ mode: 'rows' }, image)).toEqual({ timeSteps: 2, features: 6 });
    expect([...viewGather({ mode: 'rows' }, image)]).toEqual([...Array(12).keys()]);
    expect(viewDimensions({ mode: 'columns' }, image)).toEqual({ timeSteps: 3, features: 4 });
    const columns = [0, 1, 2].flatMap((x) => [0, 1].flatMap((y) => [at(y, x, 0), at(y, x, 1)]));
    expect([...viewGather({ mode: 'columns' }, image)]).toEqual(columns);
    expect(viewDimensions({ mode: 'pixels' }, image)).toEqual({ timeSteps: 6, features: 2 });
  });

  it('reads p×p patches in raster order, each tile row by row', () => {
    const square = { height: 4, width: 4, channels: 1 };
    const gather = [...viewGather({ mode: 'patches', patchSize: 2 }, square)];
    // Tile (0, 1) is the second step: pixels (0,2) (0,3) (1,2) (1,3).
    expect(gather.slice(4, 8)).toEqual([2, 3, 6, 7]);
    expect(gather.slice(12, 16)).toEqual([10, 11, 14, 15]);
  });

  it('permutes whole steps by new Rng(seed).shuffle, and scales bytes to (v/255 − mean)/std', () => {
    const perm = new Rng(5).shuffle(Int32Array.from([0, 1]));
    const rows = viewGather({ mode: 'rows' }, image);
    const permuted = viewGather({ mode: 'rows', permutationSeed: 5 }, image);
    for (let t = 0; t < 2; t++) {
      expect([...permuted.subarray(t * 6, t * 6 + 6)]).toEqual([
        ...rows.subarray(perm[t]! * 6, perm[t]! * 6 + 6),
      ]);
    }
    const { scale, shift } = viewScale({ mode: 'rows', normalize: { mean: 0.5, std: 0.25 } });
    expect(255 * scale + shift).toBeCloseTo((1 - 0.5) / 0.25, 12);
    expect(viewScale({ mode: 'rows' })).toEqual({ scale: 1 / 255, shift: -0 });
  });
});
