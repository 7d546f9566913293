import type { OptimizerSpec, OptimizerState } from './engine/contract';
import {
  adamStepScalars,
  checkOptimizerState,
  optimizerSlotNames,
  rmspropScalars,
  validateOptimizerSpec,
} from './engine/options';
import type { FloatArray } from './float-array';

/**
 * First-order optimizers over one flat parameter buffer, with Keras 3 semantics and defaults:
 * - `sgd`: momentum 0, nesterov false. v ← μ·v − lr·g; w ← w + v (Nesterov: w ← w + μ·v − lr·g).
 * - `adam`: β1 0.9, β2 0.999, ε 1e-7. m ← m + (g − m)(1 − β1); v ← v + (g² − v)(1 − β2);
 *   w ← w − lr·√(1 − β2ᵗ)/(1 − β1ᵗ) · m / (√v + ε).
 * - `adamw`: Adam preceded by decoupled weight decay w ← w − lr·wd·w (wd default 0.004) on every weight.
 * - `rmsprop`: ρ 0.9, momentum 0, ε 1e-7. a ← ρ·a + (1 − ρ)·g²; Δ = lr·g / √(a + ε);
 *   w ← w − Δ (with momentum: m ← μ·m + Δ; w ← w − m).
 * Slots share the canonical layout of the parameters, so a step is one flat loop.
 */
export class Optimizer {
  readonly spec: OptimizerSpec;
  readonly size: number;
  learningRate: number;
  /** Number of steps taken so far. */
  iterations = 0;
  readonly slots: Record<string, Float32Array>;

  constructor(spec: OptimizerSpec, size: number) {
    validateOptimizerSpec(spec);
    this.spec = spec;
    this.size = size;
    this.learningRate = spec.learningRate;
    this.slots = {};
    for (const name of optimizerSlotNames(spec)) this.slots[name] = new Float32Array(size);
  }

  /** One update of `params` from `grads` (both `size` floats in the canonical layout). */
  step(params: FloatArray, grads: FloatArray): void {
    const spec = this.spec;
    const lr = this.learningRate;
    const n = this.size;
    this.iterations++;
    if (spec.type === 'sgd') {
      const mu = spec.momentum ?? 0;
      if (mu === 0) {
        for (let i = 0; i < n; i++) params[i]! -= lr * grads[i]!;
        return;
      }
      const v = this.slots.momentum!;
      const nesterov = spec.nesterov ?? false;
      for (let i = 0; i < n; i++) {
        const g = grads[i]!;
        const vi = mu * v[i]! - lr * g;
        v[i] = vi;
        params[i]! += nesterov ? mu * vi - lr * g : vi;
      }
      return;
    }
    if (spec.type === 'rmsprop') {
      const { rho, momentum: mu, epsilon: eps } = rmspropScalars(spec);
      const a = this.slots.velocity!;
      const m = this.slots.momentum;
      for (let i = 0; i < n; i++) {
        const g = grads[i]!;
        const ai = rho * a[i]! + (1 - rho) * g * g;
        a[i] = ai;
        const delta = (lr * g) / Math.sqrt(ai + eps);
        if (m !== undefined) {
          const mi = mu * m[i]! + delta;
          m[i] = mi;
          params[i]! -= mi;
        } else {
          params[i]! -= delta;
        }
      }
      return;
    }
    const { beta1, beta2, epsilon: eps, stepSize: alpha, decay } = adamStepScalars(spec, lr, this.iterations);
    const m = this.slots.m!;
    const v = this.slots.v!;
    for (let i = 0; i < n; i++) {
      const g = grads[i]!;
      const mi = m[i]! + (g - m[i]!) * (1 - beta1);
      const vi = v[i]! + (g * g - v[i]!) * (1 - beta2);
      m[i] = mi;
      v[i] = vi;
      params[i] = params[i]! * decay - (alpha * mi) / (Math.sqrt(vi) + eps);
    }
  }

  /** A copy of the step count and slots. */
  getState(): OptimizerState {
    const slots: Record<string, Float32Array> = {};
    for (const [name, values] of Object.entries(this.slots)) slots[name] = Float32Array.from(values);
    return { step: this.iterations, slots };
  }

  /** Restores a state from `getState` (same optimizer type and parameter count). */
  setState(state: OptimizerState): void {
    checkOptimizerState(state, this.spec, this.size);
    for (const [name, values] of Object.entries(state.slots)) this.slots[name]!.set(values);
    this.iterations = state.step;
  }
}
