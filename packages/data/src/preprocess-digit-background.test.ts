import { describe, expect, it } from 'vitest';
import {
  backgroundCell,
  backgroundField,
  filter3x3,
  histogramQuantile,
  padGrid,
} from './preprocess-digit-background';

describe('histogramQuantile', () => {
  it('gives the level of rank floor(p · (n − 1))', () => {
    const histogram = new Uint32Array(256);
    for (const v of [0, 0, 1, 5, 9]) histogram[v]!++;
    // sorted 0 0 1 5 9: ranks 0, 2, 3, 4
    expect([0, 0.5, 0.75, 1].map((p) => histogramQuantile(histogram, 5, p))).toEqual([0, 1, 5, 9]);
  });
});

describe('filter3x3', () => {
  it('takes the max or min of each 3×3 neighbourhood, clipped at the edges', () => {
    const peak = Float64Array.from([0, 0, 0, 0, 9, 0, 0, 0, 0]);
    expect([...filter3x3(peak, 3, 3, 'max')]).toEqual([9, 9, 9, 9, 9, 9, 9, 9, 9]);
    const hole = Float64Array.from([5, 5, 5, 5, 5, 5, 5, 5, 0]);
    expect([...filter3x3(hole, 3, 3, 'min')]).toEqual([5, 5, 5, 5, 0, 0, 5, 0, 0]);
  });
});

describe('padGrid', () => {
  it('extrapolates rows, then columns, linearly by two cells on each side', () => {
    const row = padGrid(Float64Array.from([10, 20, 30]), 3, 1);
    // 7 × 5: every row is the row extrapolated; one row has no slope down the columns.
    expect(row.length).toBe(35);
    for (let y = 0; y < 5; y++)
      expect([...row.slice(y * 7, y * 7 + 7)]).toEqual([-10, 0, 10, 20, 30, 40, 50]);
    const square = padGrid(Float64Array.from([0, 10, 20, 30]), 2, 2);
    // rows: 0 10 → -20 -10 0 10 20 30; 20 30 → 0 10 20 30 40 50; columns step by 20.
    expect([...square.slice(0, 6)]).toEqual([-60, -50, -40, -30, -20, -10]);
    expect([...square.slice(2 * 6, 4 * 6)]).toEqual([-20, -10, 0, 10, 20, 30, 0, 10, 20, 30, 40, 50]);
    expect([...square.slice(5 * 6)]).toEqual([40, 50, 60, 70, 80, 90]);
  });
});

describe('backgroundField', () => {
  it('uses cells of a sixteenth of the shorter side, at least 2 pixels', () => {
    expect([
      backgroundCell(64, 32),
      backgroundCell(28, 28),
      backgroundCell(10, 300),
      backgroundCell(160, 120),
    ]).toEqual([2, 2, 2, 8]);
  });

  it('follows a light ramp exactly: x + 100.5, extrapolated beyond the outer cell centres', () => {
    // gray = 100 + x in 64 × 32: 2-pixel cells; each cell's 75th percentile of {a, a, a+1, a+1} is a+1,
    // the level at its centre x = 2g + 0.5 is 101 + 2g = x + 100.5, and a closing keeps a ramp.
    const width = 64;
    const height = 32;
    const gray = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) gray[y * width + x] = 100 + x;
    const field = backgroundField(gray, width, height, true);
    expect(field.range).toBe(62);
    for (const y of [0, 13, 31]) {
      for (let x = 0; x <= 63; x++) expect(field.at(x, y)).toBeCloseTo(x + 100.5, 10);
    }
  });

  it('finds the paper under dark strokes in a vignetted picture, within 8 gray levels of the light (16 under a blob)', () => {
    // Paper lit 230 in the centre falling to 230·(1 − 0.6) = 92 in the corners (vignetting), with a
    // dark 3-pixel bar, a 12-pixel blob (two whole cells of ink) and a dark ring on it: the estimate is
    // compared with the light formula.
    const size = 96;
    const light = (x: number, y: number) =>
      230 * (1 - (0.6 * (((x - 47.5) / 47.5) ** 2 + ((y - 47.5) / 47.5) ** 2)) / 2);
    const gray = new Uint8Array(size * size);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const ring = Math.abs(Math.hypot(x - 48, y - 40) - 20) < 2;
        const bar = (x >= 46 && x < 49 && y > 20 && y < 85) || (x >= 60 && x < 72 && y >= 60 && y < 72);
        gray[y * size + x] = ring || bar ? 25 : Math.round(light(x, y));
      }
    }
    const field = backgroundField(gray, size, size, true);
    let worst = 0;
    let worstUnderBlob = 0;
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const error = Math.abs(field.at(x, y) - light(x, y));
        if (x >= 60 && x < 72 && y >= 60 && y < 72) worstUnderBlob = Math.max(worstUnderBlob, error);
        else worst = Math.max(worst, error);
      }
    }
    expect(worst).toBeLessThan(8);
    // under the blob the level is the closing's, bridged from the paper around it (the dome is not flat)
    expect(worstUnderBlob).toBeLessThan(16);
    expect(field.range).toBeGreaterThan(100);
  });

  it('finds a dark board under light strokes (an opening) the same way', () => {
    const width = 32;
    const height = 32;
    const gray = new Uint8Array(width * height);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) gray[y * width + x] = x >= 14 && x < 17 ? 240 : 30 + y;
    }
    const field = backgroundField(gray, width, height, false);
    // 25th percentile of a 2×2 cell {a, a, a+1, a+1} (rank floor(0.75) = 0) is a = 30 + 2g: the
    // level at row y = 2g + 0.5 is y + 29.5 — the same under the bright bar.
    for (let y = 0; y < height; y++) {
      for (const x of [0, 15, 31]) expect(field.at(x, y)).toBeCloseTo(y + 29.5, 10);
    }
  });
});
