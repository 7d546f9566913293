import { describe, expect, it } from 'vitest';
import { Rng } from './rng';

describe('Rng', () => {
  it('repeats its stream for a seed and differs between seeds', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const c = new Rng(43);
    const sa = Array.from({ length: 8 }, () => a.nextUint32());
    const sb = Array.from({ length: 8 }, () => b.nextUint32());
    const sc = Array.from({ length: 8 }, () => c.nextUint32());
    expect(sa).toEqual(sb);
    expect(sa).not.toEqual(sc);
  });

  it('draws uniforms in [0, 1) with the right mean, and normals with mean 0 and variance 1', () => {
    const rng = new Rng(7);
    let sum = 0;
    let min = 1;
    let max = 0;
    const n = 100_000;
    for (let i = 0; i < n; i++) {
      const u = rng.next();
      sum += u;
      min = Math.min(min, u);
      max = Math.max(max, u);
    }
    expect(min).toBeGreaterThanOrEqual(0);
    expect(max).toBeLessThan(1);
    expect(sum / n).toBeCloseTo(0.5, 2);
    let s1 = 0;
    let s2 = 0;
    for (let i = 0; i < n; i++) {
      const z = rng.normal();
      s1 += z;
      s2 += z * z;
    }
    expect(s1 / n).toBeCloseTo(0, 1);
    expect(s2 / n).toBeCloseTo(1, 1);
  });

  it('shuffles into a permutation, the same one for the same seed', () => {
    const p1 = new Rng(1).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    const p2 = new Rng(1).shuffle(Int32Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(p1)).toEqual(Array.from(p2));
    expect(Array.from(p1).sort((a, b) => a - b)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    expect(Array.from(p1)).not.toEqual(Array.from({ length: 100 }, (_, i) => i));
  });

  it('rejects a seed that is not a finite number', () => {
    expect(() => new Rng(Number.NaN)).toThrow('A seed must be a finite number, got NaN.');
  });
});
