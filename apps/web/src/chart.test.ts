import { describe, expect, it } from 'vitest';
import { indexAt, niceCeil, niceTicks, plotPoints, tickLabel, yRange } from './chart';

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

describe('niceTicks', () => {
  // References: d3-array 3's ticks(start, stop, count) for the same arguments.
  it('gives the ticks d3-array gives', () => {
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks(1, 28, 6)).toEqual([5, 10, 15, 20, 25]);
    expect(niceTicks(1, 784, 6)).toEqual([100, 200, 300, 400, 500, 600, 700]);
    expect(niceTicks(-1, 1, 5)).toEqual([-1, -0.5, 0, 0.5, 1]);
    expect(niceTicks(0, 0.37, 5)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(0, 0.9, 10)).toEqual([0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9]);
    expect(niceTicks(0.1, 2.05, 5)).toEqual([0.5, 1, 1.5, 2]);
  });

  it('gives nothing for an empty or broken range', () => {
    expect(niceTicks(1, 1, 5)).toEqual([]);
    expect(niceTicks(0, Number.NaN, 5)).toEqual([]);
    expect(niceTicks(0, 1, 0)).toEqual([]);
  });
});

describe('niceCeil and tickLabel', () => {
  // References: the upper end d3-array 3's nice(0, max, 4) gives.
  it('rounds a positive maximum up to a round number', () => {
    expect(niceCeil(3.7)).toBe(4);
    expect(niceCeil(0.83)).toBe(1);
    expect(niceCeil(11.3)).toBe(12);
    expect(niceCeil(2)).toBe(2);
    expect(niceCeil(0)).toBe(1);
  });

  it('labels ticks with the digits they need and a true minus sign', () => {
    expect([0, 0.2, 1, 25, -0.5].map(tickLabel)).toEqual(['0', '0.2', '1', '25', '−0.5']);
  });
});
