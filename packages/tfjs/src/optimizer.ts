import type { OptimizerSpec, OptimizerState } from '@gruvision/math';
import {
  adamStepScalars,
  checkOptimizerState,
  optimizerSlotNames,
  rmspropScalars,
  validateOptimizerSpec,
} from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { engineCheck } from './errors';

/** Throws `INVALID_ARGUMENT` naming the bad field of an optimizer spec (the engine contract's check). */
export function checkOptimizerSpec(spec: OptimizerSpec): void {
  engineCheck(() => validateOptimizerSpec(spec));
}

/**
 * The optimizers of `OptimizerSpec` as tfjs ops on a list of variables, with the same Keras 3
 * semantics, defaults and slot names as the math core (so optimizer state moves between engines):
 * - `sgd`: v ← μ·v − lr·g; w ← w + v (Nesterov: w ← w + μ·v − lr·g);
 * - `adam` / `adamw`: m ← m + (g − m)(1 − β1); v ← v + (g² − v)(1 − β2);
 *   w ← w·(1 − lr·wd) − lr·√(1 − β2ᵗ)/(1 − β1ᵗ) · m / (√v + ε) (wd = 0 for adam, default 0.004 for adamw);
 * - `rmsprop`: a ← ρ·a + (1 − ρ)·g²; Δ = lr·g / √(a + ε); w ← w − Δ (momentum: m ← μ·m + Δ; w ← w − m).
 * (tf.train.adam puts ε on the bias-corrected √v̂ and tf.train.momentum scales v by lr differently,
 * so these are written out rather than borrowed.) Slots are created up front: training allocates
 * no long-lived tensors.
 */
export class KerasOptimizer {
  readonly spec: OptimizerSpec;
  learningRate: number;
  iterations = 0;
  private readonly variables: readonly tf.Variable[];
  private readonly slots: Record<string, tf.Variable[]> = {};

  constructor(spec: OptimizerSpec, variables: readonly tf.Variable[]) {
    checkOptimizerSpec(spec);
    this.spec = spec;
    this.learningRate = spec.learningRate;
    this.variables = variables;
    for (const name of optimizerSlotNames(spec)) {
      // tidy frees the zeros; the variables (never tracked by tidy) keep their data.
      this.slots[name] = tf.tidy(() =>
        variables.map((v) => tf.variable(tf.zerosLike(v), false, undefined, 'float32')),
      );
    }
  }

  /** One update from `grads` (same order and shapes as the variables). Disposes nothing it was given. */
  step(grads: readonly tf.Tensor[]): void {
    this.iterations++;
    const spec = this.spec;
    const lr = this.learningRate;
    tf.tidy(() => {
      this.variables.forEach((w, i) => {
        const g = grads[i]!;
        if (spec.type === 'sgd') {
          const mu = spec.momentum ?? 0;
          if (mu === 0) {
            w.assign(tf.sub(w, tf.mul(g, lr)));
            return;
          }
          const v = this.slots.momentum![i]!;
          const vNext = tf.sub(tf.mul(v, mu), tf.mul(g, lr));
          v.assign(vNext);
          w.assign(tf.add(w, spec.nesterov ? tf.sub(tf.mul(vNext, mu), tf.mul(g, lr)) : vNext));
          return;
        }
        if (spec.type === 'rmsprop') {
          const { rho, momentum: mu, epsilon: eps } = rmspropScalars(spec);
          const a = this.slots.velocity![i]!;
          const aNext = tf.add(tf.mul(a, rho), tf.mul(tf.square(g), 1 - rho));
          a.assign(aNext);
          const delta = tf.div(tf.mul(g, lr), tf.sqrt(tf.add(aNext, eps)));
          if (mu !== 0) {
            const m = this.slots.momentum![i]!;
            const mNext = tf.add(tf.mul(m, mu), delta);
            m.assign(mNext);
            w.assign(tf.sub(w, mNext));
          } else {
            w.assign(tf.sub(w, delta));
          }
          return;
        }
        const {
          beta1,
          beta2,
          epsilon: eps,
          stepSize: alpha,
          decay,
        } = adamStepScalars(spec, lr, this.iterations);
        const m = this.slots.m![i]!;
        const v = this.slots.v![i]!;
        const mNext = tf.add(m, tf.mul(tf.sub(g, m), 1 - beta1));
        const vNext = tf.add(v, tf.mul(tf.sub(tf.square(g), v), 1 - beta2));
        m.assign(mNext);
        v.assign(vNext);
        const update = tf.div(tf.mul(mNext, alpha), tf.add(tf.sqrt(vNext), eps));
        w.assign(tf.sub(decay === 1 ? w : tf.mul(w, decay), update));
      });
    });
  }

  /** Step count and slots, each flattened into the canonical layout (variables in layout order). */
  getState(): OptimizerState {
    const slots: Record<string, Float32Array> = {};
    for (const [name, vars] of Object.entries(this.slots)) {
      const size = vars.reduce((n, v) => n + v.size, 0);
      const flat = new Float32Array(size);
      let offset = 0;
      for (const v of vars) {
        flat.set(v.dataSync() as Float32Array, offset);
        offset += v.size;
      }
      slots[name] = flat;
    }
    return { step: this.iterations, slots };
  }

  /** Restores a state from `getState` of this engine or of the math core (same spec and optimizer). */
  setState(state: OptimizerState): void {
    const total = this.variables.reduce((n, v) => n + v.size, 0);
    engineCheck(() => checkOptimizerState(state, this.spec, total));
    for (const name of Object.keys(this.slots)) {
      const values = state.slots[name]!;
      let offset = 0;
      tf.tidy(() => {
        for (const v of this.slots[name]!) {
          v.assign(tf.tensor(values.subarray(offset, offset + v.size), v.shape, 'float32'));
          offset += v.size;
        }
      });
    }
    this.iterations = state.step;
  }

  dispose(): void {
    for (const vars of Object.values(this.slots)) for (const v of vars) v.dispose();
  }
}
