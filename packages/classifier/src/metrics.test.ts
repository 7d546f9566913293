import { describe, expect, it } from 'vitest';
import { argMax, MetricsAccumulator, topIndices } from './metrics';

describe('MetricsAccumulator', () => {
  it('computes accuracy, top-k, confusion and per-class F1 from probabilities', () => {
    const m = new MetricsAccumulator(['a', 'b', 'c'], 2);
    // prettier-ignore
    const probs = Float32Array.from([
      0.7,
      0.2,
      0.1, // true a, predicted a
      0.5,
      0.4,
      0.1, // true b, predicted a (b is 2nd)
      0.1,
      0.2,
      0.7, // true c, predicted c
      0.6,
      0.1,
      0.3, // true b, predicted a (b is 3rd)
    ]);
    m.add(probs, [0, 1, 2, 1], 4);
    const r = m.result();
    expect(r.count).toBe(4);
    expect(r.accuracy).toBe(0.5);
    expect(r.topKAccuracy).toBe(0.75);
    expect(r.confusion).toEqual([
      [1, 0, 0],
      [2, 0, 0],
      [0, 0, 1],
    ]);
    expect(r.perClass[0]).toMatchObject({ className: 'a', precision: 1 / 3, recall: 1, support: 1 });
    expect(r.perClass[0]!.f1).toBeCloseTo(0.5, 12);
    expect(r.perClass[1]).toMatchObject({ precision: 0, recall: 0, f1: 0, support: 2 });
    expect(r.perClass[2]).toMatchObject({ precision: 1, recall: 1, f1: 1 });
    expect(r.macroF1).toBeCloseTo(0.5, 12);
    const loss = -(Math.log(0.7) + Math.log(0.4) + Math.log(0.7) + Math.log(0.1)) / 4;
    expect(r.loss).toBeCloseTo(loss, 6);
  });

  it('returns NaN rates for an empty evaluation instead of dividing by zero silently', () => {
    const r = new MetricsAccumulator(['a', 'b'], 1).result();
    expect(r.count).toBe(0);
    expect(r.accuracy).toBeNaN();
    expect(r.macroF1).toBe(0);
  });
});

describe('argMax / topIndices', () => {
  it('breaks ties towards the lower index', () => {
    expect(argMax([1, 3, 3, 2])).toBe(1);
    expect(topIndices([1, 3, 3, 2], 3)).toEqual([1, 2, 3]);
    expect(topIndices([1, 2], 5)).toEqual([1, 0]);
  });
});
