// Helpers shared by the tests of this package (not exported from the package entry).
import { expect } from 'vitest';
import type { FloatArray } from '../float-array';
import { initializeWeights } from '../initializers';
import { NetworkCore } from '../network';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';

/** Float64 buffer of `n` values uniform in [−scale, scale). */
export function randomArray(rng: Rng, n: number, scale = 1): Float64Array {
  const a = new Float64Array(n);
  for (let i = 0; i < n; i++) a[i] = rng.uniform(-scale, scale);
  return a;
}

/**
 * Relative error ‖a − n‖₂ / (‖a‖₂ + ‖n‖₂) between an analytic gradient `a` and central finite
 * differences `n` of `loss` with respect to every entry of `param` (perturbed in place and restored).
 */
export function gradientError(
  loss: () => number,
  param: FloatArray,
  analytic: FloatArray,
  eps = 1e-6,
): number {
  let diff = 0;
  let na = 0;
  let nn = 0;
  for (let i = 0; i < param.length; i++) {
    const saved = param[i]!;
    param[i] = saved + eps;
    const lp = loss();
    param[i] = saved - eps;
    const lm = loss();
    param[i] = saved;
    const numeric = (lp - lm) / (2 * eps);
    const a = analytic[i]!;
    diff += (a - numeric) ** 2;
    na += a * a;
    nn += numeric * numeric;
  }
  return Math.sqrt(diff) / Math.max(Math.sqrt(na) + Math.sqrt(nn), 1e-12);
}

/**
 * Float64 finite-difference check of a whole network: every parameter entry's gradient (each one not all
 * zero) and the input gradient within 1e-6 (relative), on 3 samples with every parameter perturbed (biases
 * are zero after initialization) so every path is exercised. `training` runs the training forward (the
 * minimal cells' parallel scan, dropout masks); `dropout` samples masks, held fixed, and first checks they
 * change the training forward and only it. Penalties and label smoothing as `computeGradients` takes them.
 */
export function checkNetworkGradients(
  spec: ModelSpec,
  options: {
    labelSmoothing?: number;
    l2?: number;
    l1?: number;
    dropout?: boolean;
    training?: boolean;
    weights?: number[];
  },
): void {
  const B = 3;
  const rng = new Rng(21);
  const core = new NetworkCore(spec, 'float64');
  core.setWeights(initializeWeights(spec, 5));
  for (let i = 0; i < core.params.length; i++) core.params[i]! += rng.uniform(-0.3, 0.3);
  const x = randomArray(rng, B * spec.timeSteps * spec.features);
  const labels = Int32Array.from({ length: B }, (_, i) => i % spec.classes);
  const ls = options.labelSmoothing ?? 0;
  const l2 = options.l2 ?? 0;
  const l1 = options.l1 ?? 0;
  const weights = options.weights ? Float64Array.from(options.weights) : null;
  if (options.dropout) {
    core.sampleDropoutMasks(new Rng(99), B);
    core.forward(x, B, false);
    const inference = Float64Array.from(core.probs);
    core.forward(x, B, true);
    expect(Array.from(core.probs)).not.toEqual(Array.from(inference));
  }
  const training = options.training ?? options.dropout ?? false;
  const loss = (): number => {
    core.forward(x, B, training);
    let penalty = 0;
    let absolute = 0;
    for (const [o, n] of core.kernelRanges) {
      for (let i = o; i < o + n; i++) {
        penalty += core.params[i]! ** 2;
        absolute += Math.abs(core.params[i]!);
      }
    }
    return core.loss(labels, ls, weights).loss + l2 * penalty + l1 * absolute;
  };
  core.computeGradients(x, labels, B, { training, labelSmoothing: ls, l2, l1, weights });
  const grads = Float64Array.from(core.grads);
  core.grads.fill(0);
  core.forward(x, B, training);
  core.loss(labels, ls, weights);
  const dx = core.backward(true) as FloatArray;
  for (const e of core.entries) {
    const p = core.params.subarray(e.offset, e.offset + e.size);
    const g = grads.subarray(e.offset, e.offset + e.size);
    expect(Math.hypot(...g), e.name).toBeGreaterThan(0);
    expect(gradientError(loss, p, g), e.name).toBeLessThan(1e-6);
  }
  expect(gradientError(loss, x, dx), 'input').toBeLessThan(1e-6);
}

export { Rng };
