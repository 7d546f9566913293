import { softmaxRows } from './activations';
import type { FloatArray } from './float-array';
import { gemmNN, gemmNT, gemmTN } from './gemm';

/**
 * Dense layer: logits = h·W + b.
 * logits: [B,C], h: [B,H], kernel: [H,C], bias: [C]
 */
export function denseForward(
  logits: FloatArray,
  h: FloatArray,
  kernel: FloatArray,
  bias: FloatArray,
  B: number,
  H: number,
  C: number,
): void {
  for (let b = 0; b < B; b++) for (let j = 0; j < C; j++) logits[b * C + j] = bias[j]!;
  gemmNN(logits, 0, C, h, 0, H, kernel, 0, C, B, C, H, 1);
}

/**
 * Backward of `denseForward`; adds into the gradients (+=). dh may be null when not needed.
 * dh: [B,H], dKernel: [H,C], dBias: [C], dLogits: [B,C], h: [B,H], kernel: [H,C]
 */
export function denseBackward(
  dh: FloatArray | null,
  dKernel: FloatArray,
  dBias: FloatArray,
  dLogits: FloatArray,
  h: FloatArray,
  kernel: FloatArray,
  B: number,
  H: number,
  C: number,
): void {
  gemmTN(dKernel, 0, C, h, 0, H, dLogits, 0, C, H, C, B, 1);
  for (let b = 0; b < B; b++) for (let j = 0; j < C; j++) dBias[j]! += dLogits[b * C + j]!;
  if (dh !== null) gemmNT(dh, 0, H, dLogits, 0, C, kernel, 0, C, B, H, C, 1);
}

/** Mean loss of a batch and how many samples the arg-max got right. */
export interface LossResult {
  readonly loss: number;
  readonly correct: number;
}

/**
 * Softmax + cross-entropy, numerically stable (log-sum-exp), with optional label smoothing: the
 * target is (1 − ε)·onehot(y) + ε/C. Returns the mean loss over the batch; writes the probabilities
 * and, when `dLogits` is given, the gradient of the mean loss w.r.t. the logits (overwritten, not added).
 *
 * With per-sample `weights` w (class weights times sample weights), the loss is Keras's weighted
 * loss Σᵢ wᵢ·lossᵢ / B — divided by the batch size, not by Σ wᵢ (PyTorch's
 * `CrossEntropyLoss(weight=…)` divides by Σ w_{yᵢ}) — so a batch's gradient is an unbiased estimate
 * of the weighted loss over the whole set, and weights of 1 give the unweighted gradient bit for bit.
 * probs: [B,C], dLogits: [B,C] | null, logits: [B,C], labels: [B], weights: [B] | null
 */
export function softmaxCrossEntropy(
  probs: FloatArray,
  dLogits: FloatArray | null,
  logits: FloatArray,
  labels: Int32Array,
  B: number,
  C: number,
  labelSmoothing: number,
  weights: ArrayLike<number> | null = null,
): LossResult {
  softmaxRows(probs, logits, B, C);
  const off = labelSmoothing / C;
  const on = 1 - labelSmoothing + off;
  let loss = 0;
  let correct = 0;
  for (let b = 0; b < B; b++) {
    const o = b * C;
    const y = labels[b]!;
    let max = Number.NEGATIVE_INFINITY;
    let arg = 0;
    for (let j = 0; j < C; j++) {
      if (logits[o + j]! > max) {
        max = logits[o + j]!;
        arg = j;
      }
    }
    if (arg === y) correct++;
    let sum = 0;
    for (let j = 0; j < C; j++) sum += Math.exp(logits[o + j]! - max);
    const logSum = max + Math.log(sum);
    // −Σ_j q_j·log p_j with log p_j = logit_j − logSum.
    if (weights === null) {
      if (labelSmoothing === 0) {
        loss += logSum - logits[o + y]!;
      } else {
        for (let j = 0; j < C; j++) loss -= (j === y ? on : off) * (logits[o + j]! - logSum);
      }
      if (dLogits !== null) {
        for (let j = 0; j < C; j++) dLogits[o + j] = (probs[o + j]! - (j === y ? on : off)) / B;
      }
      continue;
    }
    const w = weights[b]!;
    let sampleLoss = 0;
    if (labelSmoothing === 0) {
      sampleLoss = logSum - logits[o + y]!;
    } else {
      for (let j = 0; j < C; j++) sampleLoss -= (j === y ? on : off) * (logits[o + j]! - logSum);
    }
    loss += w * sampleLoss;
    if (dLogits !== null) {
      for (let j = 0; j < C; j++) dLogits[o + j] = ((probs[o + j]! - (j === y ? on : off)) / B) * w;
    }
  }
  return { loss: loss / B, correct };
}

/** Euclidean norm of a buffer. */
export function globalNorm(grads: FloatArray): number {
  let s = 0;
  for (let i = 0; i < grads.length; i++) s += grads[i]! * grads[i]!;
  return Math.sqrt(s);
}

/**
 * Clips a flat gradient buffer by its global norm (Keras `global_clipnorm`): when ‖g‖ > maxNorm,
 * g ← g · maxNorm / ‖g‖. Returns the norm before clipping.
 */
export function clipByGlobalNorm(grads: FloatArray, maxNorm: number): number {
  const norm = globalNorm(grads);
  if (norm > maxNorm && norm > 0) {
    const scale = maxNorm / norm;
    for (let i = 0; i < grads.length; i++) grads[i]! *= scale;
  }
  return norm;
}

/**
 * L2 penalty `l2 · Σ w²` over the given ranges `[offset, size]` of a flat parameter buffer; adds its
 * gradient `2·l2·w` into `grads` and returns the penalty.
 */
export function addL2Penalty(
  grads: FloatArray,
  params: FloatArray,
  ranges: readonly (readonly [number, number])[],
  l2: number,
): number {
  if (l2 === 0) return 0;
  let penalty = 0;
  for (const [offset, size] of ranges) {
    for (let i = offset; i < offset + size; i++) {
      const w = params[i]!;
      penalty += w * w;
      grads[i]! += 2 * l2 * w;
    }
  }
  return l2 * penalty;
}

/**
 * L1 penalty `l1 · Σ |w|` over the given ranges `[offset, size]` of a flat parameter buffer; adds its
 * (sub)gradient `l1·sign(w)` into `grads` (0 at w = 0, as Keras and PyTorch's `sign`) and returns the penalty.
 */
export function addL1Penalty(
  grads: FloatArray,
  params: FloatArray,
  ranges: readonly (readonly [number, number])[],
  l1: number,
): number {
  if (l1 === 0) return 0;
  let penalty = 0;
  for (const [offset, size] of ranges) {
    for (let i = offset; i < offset + size; i++) {
      const w = params[i]!;
      penalty += Math.abs(w);
      if (w > 0) grads[i]! += l1;
      else if (w < 0) grads[i]! -= l1;
    }
  }
  return l1 * penalty;
}
