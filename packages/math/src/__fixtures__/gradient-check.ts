// Helpers shared by the tests of this package (not exported from the package entry).
import type { FloatArray } from '../float-array';
import { Rng } from '../rng';

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

export { Rng };
