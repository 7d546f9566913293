import { describe, expect, it } from 'vitest';
import { glorotNormal, glorotUniform, initializeWeights, orthogonal } from './initializers';
import { Rng } from './rng';

describe('initializers', () => {
  it('orthogonal: a 128×384 recurrent kernel has orthonormal rows (W·Wᵀ = I)', () => {
    const w = new Float32Array(128 * 384);
    orthogonal(w, 128, 384, new Rng(1));
    let worst = 0;
    for (let i = 0; i < 128; i++) {
      for (let j = 0; j <= i; j++) {
        let dot = 0;
        for (let k = 0; k < 384; k++) dot += w[i * 384 + k]! * w[j * 384 + k]!;
        worst = Math.max(worst, Math.abs(dot - (i === j ? 1 : 0)));
      }
    }
    expect(worst).toBeLessThan(1e-5);
  });

  it('orthogonal: a tall matrix has orthonormal columns', () => {
    const w = new Float64Array(6 * 3);
    orthogonal(w, 6, 3, new Rng(2));
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        let dot = 0;
        for (let k = 0; k < 6; k++) dot += w[k * 3 + a]! * w[k * 3 + b]!;
        expect(dot).toBeCloseTo(a === b ? 1 : 0, 12);
      }
    }
  });

  it('glorotUniform stays within √(6/(fanIn+fanOut)) and glorotNormal within two of its σ', () => {
    const u = new Float32Array(28 * 384);
    glorotUniform(u, 28, 384, new Rng(3));
    const limit = Math.sqrt(6 / (28 + 384));
    expect(Math.max(...u.map(Math.abs))).toBeLessThanOrEqual(limit);
    expect(Math.max(...u.map(Math.abs))).toBeGreaterThan(0.95 * limit);
    const n = new Float64Array(200 * 200);
    glorotNormal(n, 200, 200, new Rng(4));
    const sigma = Math.sqrt(2 / 400) / 0.87962566103423978;
    expect(Math.max(...n.map(Math.abs))).toBeLessThanOrEqual(2 * sigma);
    const variance = n.reduce((s, v) => s + v * v, 0) / n.length;
    expect(variance).toBeCloseTo(2 / 400, 3);
  });

  it('initializeWeights: Keras defaults, the same for the same seed, different for another', () => {
    const spec = {
      timeSteps: 4,
      features: 3,
      classes: 2,
      layers: [
        { cell: 'lstm', units: 2 },
        { cell: 'gru', units: 3, resetAfter: true },
      ],
    } as const;
    const a = initializeWeights(spec, 10);
    const b = initializeWeights(spec, 10);
    const c = initializeWeights(spec, 11);
    expect(a.map((w) => Array.from(w.values))).toEqual(b.map((w) => Array.from(w.values)));
    expect(a.map((w) => Array.from(w.values))).not.toEqual(c.map((w) => Array.from(w.values)));
    const byName = new Map(a.map((w) => [w.name, w]));
    // LSTM unit forget bias: blocks i|f|c|o, f = 1.
    expect(Array.from(byName.get('lstm/bias')!.values)).toEqual([0, 0, 1, 1, 0, 0, 0, 0]);
    expect(Array.from(byName.get('gru/bias')!.values).every((v) => v === 0)).toBe(true);
    expect(byName.get('gru/bias')!.shape).toEqual([2, 9]);
    expect(Array.from(byName.get('dense/bias')!.values)).toEqual([0, 0]);
    expect(byName.get('gru/kernel')!.values.some((v) => v !== 0)).toBe(true);
  });
});
