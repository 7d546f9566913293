import type { FloatArray } from './float-array';

/** Logistic sigmoid 1 / (1 + e^(−x)). */
export function sigmoid(x: number): number {
  return 1 / (1 + Math.exp(-x));
}

/** tfjs / Keras 2 hard sigmoid: clip(0.2·x + 0.5, 0, 1). */
export function hardSigmoid(x: number): number {
  return Math.max(0, Math.min(1, 0.2 * x + 0.5));
}

/** The gate activation: `hard` selects `hardSigmoid`, otherwise `sigmoid`. */
export function gate(x: number, hard: boolean): number {
  if (hard) {
    return Math.max(0, Math.min(1, 0.2 * x + 0.5));
  }
  return 1 / (1 + Math.exp(-x));
}

/** Derivative of the gate activation, written in terms of its output `y`. */
export function gateGrad(y: number, hard: boolean): number {
  if (hard) return y > 0 && y < 1 ? 0.2 : 0;
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
