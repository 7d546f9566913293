import type { FloatArray } from './float-array';
import type { RecurrentActivation } from './spec';

/** Logistic sigmoid 1 / (1 + e^(−x)). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/**
 * tfjs / Keras 2 hard sigmoid: clip(0.2·x + 0.5, 0, 1) (the spec's `'hardSigmoid'`; also ONNX
 * `HardSigmoid` with its default alpha 0.2).
 */
export function hardSigmoid(x: number): number {
  return Math.max(0, Math.min(1, 0.2 * x + 0.5));
}

/**
 * Keras 3 hard sigmoid: clip(x/6 + 0.5, 0, 1) = relu6(x + 3)/6 (the spec's `'hardSigmoidKeras3'`;
 * also PyTorch `nn.Hardsigmoid` and ONNX `HardSigmoid` with alpha 1/6).
 */
export function hardSigmoidKeras3(x: number): number {
  return Math.max(0, Math.min(1, x / 6 + 0.5));
}

/**
 * The slope of a gate activation in its linear part: 0.2 for `'hardSigmoid'`, 1/6 for
 * `'hardSigmoidKeras3'`, 0 for `'sigmoid'` (not piecewise linear). The cells pass this number to
 * {@link gate} and {@link gateGrad} in their inner loops.
 */
export function gateSlope(activation: RecurrentActivation): number {
  return activation === 'hardSigmoid' ? 0.2 : activation === 'hardSigmoidKeras3' ? 1 / 6 : 0;
}

/**
 * ONNX `HardSigmoid` coefficients of a gate activation, `y = max(0, min(1, alpha·x + beta))`:
 * `'hardSigmoid'` → `{ alpha: 0.2, beta: 0.5 }`, `'hardSigmoidKeras3'` → `{ alpha: 1/6, beta: 0.5 }`,
 * `'sigmoid'` (not a hard sigmoid) → `undefined`.
 */
export function hardSigmoidCoefficients(
  activation: RecurrentActivation,
): { readonly alpha: number; readonly beta: number } | undefined {
  if (activation === 'hardSigmoid') return { alpha: 0.2, beta: 0.5 };
  if (activation === 'hardSigmoidKeras3') return { alpha: 1 / 6, beta: 0.5 };
  return undefined;
}

/**
 * The gate activation for a {@link gateSlope}: 0 → sigmoid, 0.2 → clip(0.2x + 0.5), 1/6 → clip(x/6 + 0.5).
 */
export function gate(x: number, slope: number): number {
  if (slope === 0) return 1 / (1 + Math.exp(-x));
  // x / 6 rather than x · (1/6): the Keras 3 formula, rounded as Keras rounds it.
  const y = slope === 0.2 ? 0.2 * x + 0.5 : x / 6 + 0.5;
  return Math.max(0, Math.min(1, y));
}

/** Derivative of the gate activation (given by its {@link gateSlope}), written in terms of its output `y`. */
export function gateGrad(y: number, slope: number): number {
  if (slope !== 0) return y > 0 && y < 1 ? slope : 0;
  return y * (1 - y);
}

/**
 * Row-wise numerically stable softmax: out[b, :] = softmax(logits[b, :]).
 * out: [B,C], logits: [B,C]
 */
export function softmaxRows(out: FloatArray, logits: FloatArray, B: number, C: number): void {
  for (let b = 0; b < B; b++) {
    const o = b * C;
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < C; j++) if (logits[o + j]! > max) max = logits[o + j]!;
    let sum = 0;
    for (let j = 0; j < C; j++) {
      const e = Math.exp(logits[o + j]! - max);
      out[o + j] = e;
      sum += e;
    }
    const inv = 1 / sum;
    for (let j = 0; j < C; j++) out[o + j]! *= inv;
  }
}
