import { describe, expect, it } from 'vitest';
import { addL1Penalty, addL2Penalty, clipByGlobalNorm, softmaxCrossEntropy } from './dense';

describe('softmax cross-entropy', () => {
  it('is numerically stable for huge logits and counts correct predictions', () => {
    const logits = Float64Array.of(1000, 0, -1000, -5, 5, 0);
    const probs = new Float64Array(6);
    const d = new Float64Array(6);
    const { loss, correct } = softmaxCrossEntropy(probs, d, logits, Int32Array.of(0, 2), 2, 3, 0);
    // Sample 0: loss ≈ 0; sample 1: log(e^−5 + e^5 + 1) − 0.
    expect(loss).toBeCloseTo((0 + Math.log(Math.exp(-5) + Math.exp(5) + 1)) / 2, 10);
    expect(correct).toBe(1);
    expect(Number.isFinite(loss)).toBe(true);
    expect(probs[0]).toBeCloseTo(1, 12);
    expect(d[0]).toBeCloseTo(0, 12);
    expect(d[5]).toBeCloseTo((probs[5]! - 1) / 2, 12);
  });

  it('applies label smoothing: target (1 − ε)·onehot + ε/C', () => {
    const logits = Float64Array.of(2, 1, 0);
    const probs = new Float64Array(3);
    const d = new Float64Array(3);
    const { loss } = softmaxCrossEntropy(probs, d, logits, Int32Array.of(0), 1, 3, 0.3);
    const lse = Math.log(Math.exp(2) + Math.exp(1) + 1);
    const q = [0.8, 0.1, 0.1];
    expect(loss).toBeCloseTo(-(q[0]! * (2 - lse) + q[1]! * (1 - lse) + q[2]! * (0 - lse)), 12);
    expect(d[1]).toBeCloseTo(probs[1]! - 0.1, 12);
  });
});

describe('regularization', () => {
  it('clips by global norm and reports the norm', () => {
    const g = Float64Array.of(3, 4);
    expect(clipByGlobalNorm(g, 1)).toBe(5);
    expect(Array.from(g)).toEqual([0.6000000000000001, 0.8]);
    const small = Float64Array.of(0.3, 0.4);
    clipByGlobalNorm(small, 1);
    expect(Array.from(small)).toEqual([0.3, 0.4]);
  });

  it('adds the L2 penalty and its gradient on the given ranges only', () => {
    const w = Float64Array.of(1, 2, 3);
    const g = new Float64Array(3);
    expect(addL2Penalty(g, w, [[1, 2]], 0.5)).toBe(0.5 * 13);
    expect(Array.from(g)).toEqual([0, 2, 3]);
  });

  it('adds the L1 penalty l1·Σ|w| and its gradient l1·sign(w) (0 at w = 0) on the given ranges only', () => {
    const w = Float64Array.of(5, -2, 0, 3);
    const g = Float64Array.of(1, 1, 1, 1);
    expect(addL1Penalty(g, w, [[1, 3]], 0.5)).toBe(0.5 * (2 + 0 + 3));
    expect(Array.from(g)).toEqual([1, 0.5, 1, 1.5]);
    expect(addL1Penalty(g, w, [[0, 4]], 0)).toBe(0);
    expect(Array.from(g)).toEqual([1, 0.5, 1, 1.5]);
  });
});
