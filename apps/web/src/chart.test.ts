import { describe, expect, it } from 'vitest';
import { indexAt, plotPoints, yRange } from './chart';

const box = { left: 10, top: 0, width: 100, height: 50 };

describe('plotPoints', () => {
  it('spans the box: first x at left, last at right, max at top', () => {
    expect(plotPoints([0, 0.5, 1], 3, 0, 1, box)).toEqual([
      { x: 10, y: 50 },
      { x: 60, y: 25 },
      { x: 110, y: 0 },
    ]);
  });

  it('drops non-finite values and clamps out-of-range ones', () => {
    expect(plotPoints([Number.NaN, 2], 2, 0, 1, box)).toEqual([{ x: 110, y: 0 }]);
  });
});

describe('yRange', () => {
  it('pads the data range, keeps non-negative data at 0, and handles flat or empty data', () => {
    const r = yRange([{ name: 'loss', color: '#000', values: [2, 1, 0.5] }]);
    expect(r.min).toBe(0);
    expect(r.max).toBeCloseTo(2.075);
    expect(yRange([{ name: 'a', color: '#000', values: [3, 3] }])).toEqual({ min: 2.5, max: 3.5 });
    expect(yRange([])).toEqual({ min: 0, max: 1 });
    expect(yRange([], { min: 0, max: 1 })).toEqual({ min: 0, max: 1 });
  });
});

describe('indexAt', () => {
  it('finds the nearest x index and -1 outside the plot', () => {
    expect(indexAt(10, 28, box)).toBe(0);
    expect(indexAt(110, 28, box)).toBe(27);
    expect(indexAt(60, 3, box)).toBe(1);
    expect(indexAt(200, 28, box)).toBe(-1);
  });
});
