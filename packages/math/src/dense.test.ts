import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  addL1Penalty,
  addL2Penalty,
  clipByGlobalNorm,
  denseBackward,
  denseForward,
  softmaxCrossEntropy,
} from './dense';

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

interface WeightedCase {
  name: string;
  B: number;
  H: number;
  C: number;
  labelSmoothing: number;
  labels: number[];
  classWeights: number[];
  sampleWeights: number[];
  h: number[];
  kernel: number[];
  bias: number[];
  loss: number;
  dh: number[];
  dKernel: number[];
  dBias: number[];
  torchWeightedMean?: number;
}

const weighted = JSON.parse(
  readFileSync(new URL('./__fixtures__/weighted-loss-torch.json', import.meta.url), 'utf8'),
) as { cases: WeightedCase[] };

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  for (let i = 0; i < b.length; i++) d = Math.max(d, Math.abs(a[i]! - b[i]!));
  return d;
}

describe('weighted softmax cross-entropy (class × sample weights)', () => {
  it('is Σ wᵢ·lossᵢ / B by hand, and weights of 1 give the unweighted gradient bit for bit', () => {
    const logits = Float64Array.of(2, 1, 0, 0.5, -1, 3);
    const labels = Int32Array.of(0, 2);
    const lse0 = Math.log(Math.exp(2) + Math.exp(1) + 1);
    const lse1 = Math.log(Math.exp(0.5) + Math.exp(-1) + Math.exp(3));
    const probs = new Float64Array(6);
    const d = new Float64Array(6);
    const { loss } = softmaxCrossEntropy(probs, d, logits, labels, 2, 3, 0, Float64Array.of(0.5, 3));
    expect(loss).toBeCloseTo((0.5 * (lse0 - 2) + 3 * (lse1 - 3)) / 2, 12);
    expect(d[0]).toBeCloseTo((0.5 * (probs[0]! - 1)) / 2, 12);
    expect(d[5]).toBeCloseTo((3 * (probs[5]! - 1)) / 2, 12);
    const plain = new Float64Array(6);
    const ones = new Float64Array(6);
    for (const ls of [0, 0.2]) {
      const a = softmaxCrossEntropy(probs, plain, logits, labels, 2, 3, ls);
      const b = softmaxCrossEntropy(probs, ones, logits, labels, 2, 3, ls, Float64Array.of(1, 1));
      expect(Array.from(ones)).toEqual(Array.from(plain));
      expect(b.loss).toBeCloseTo(a.loss, 14);
    }
  });

  for (const c of weighted.cases) {
    it(`${c.name}: loss and head gradients match float64 PyTorch autograd within 1e-12`, () => {
      const { B, H, C } = c;
      const labels = Int32Array.from(c.labels);
      const w = Float64Array.from(labels, (y, i) => c.classWeights[y]! * c.sampleWeights[i]!);
      const h = Float64Array.from(c.h);
      const kernel = Float64Array.from(c.kernel);
      const logits = new Float64Array(B * C);
      denseForward(logits, h, kernel, Float64Array.from(c.bias), B, H, C);
      const probs = new Float64Array(B * C);
      const dLogits = new Float64Array(B * C);
      const { loss } = softmaxCrossEntropy(probs, dLogits, logits, labels, B, C, c.labelSmoothing, w);
      const dh = new Float64Array(B * H);
      const dKernel = new Float64Array(H * C);
      const dBias = new Float64Array(C);
      denseBackward(dh, dKernel, dBias, dLogits, h, kernel, B, H, C);
      expect(Math.abs(loss - c.loss)).toBeLessThan(1e-12);
      expect(maxDiff(dh, c.dh)).toBeLessThan(1e-12);
      expect(maxDiff(dKernel, c.dKernel)).toBeLessThan(1e-12);
      expect(maxDiff(dBias, c.dBias)).toBeLessThan(1e-12);
      if (c.torchWeightedMean !== undefined) {
        // PyTorch's CrossEntropyLoss(weight=…) divides by Σ w instead of B: the same sum, another scale.
        const sum = w.reduce((a, v) => a + v, 0);
        expect(Math.abs((loss * B) / sum - c.torchWeightedMean)).toBeLessThan(1e-12);
        expect(Math.abs(loss - c.torchWeightedMean)).toBeGreaterThan(1e-3);
      }
    });
  }
});
