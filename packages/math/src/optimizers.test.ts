import { describe, expect, it } from 'vitest';
import { adamStepScalars, rmspropScalars } from './engine/options';
import { Optimizer } from './optimizers';

// Hand-computed Keras 3 steps on w = [1, −2] with gradients g = [0.5, −1] (then g = [0.1, 0.2]).
const w0 = () => Float64Array.of(1, -2);
const g1 = Float64Array.of(0.5, -1);
const g2 = Float64Array.of(0.1, 0.2);

describe('optimizers (Keras semantics, hand-computed steps)', () => {
  it('SGD without momentum: w − lr·g', () => {
    const w = w0();
    new Optimizer({ type: 'sgd', learningRate: 0.1 }, 2).step(w, g1);
    expect(w[0]).toBeCloseTo(0.95, 12);
    expect(w[1]).toBeCloseTo(-1.9, 12);
  });

  it('SGD with momentum 0.9: v = 0.9·v − lr·g, w += v', () => {
    const w = w0();
    const opt = new Optimizer({ type: 'sgd', learningRate: 0.1, momentum: 0.9 }, 2);
    opt.step(w, g1); // v = [−0.05, 0.1] → w = [0.95, −1.9]
    opt.step(w, g2); // v = [−0.045 − 0.01, 0.09 − 0.02] = [−0.055, 0.07] → w = [0.895, −1.83]
    expect(w[0]).toBeCloseTo(0.895, 7);
    expect(w[1]).toBeCloseTo(-1.83, 7);
  });

  it('SGD with Nesterov momentum: w += μ·v − lr·g', () => {
    const w = w0();
    const opt = new Optimizer({ type: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true }, 2);
    opt.step(w, g1); // v = [−0.05, 0.1]; w += 0.9·v − 0.1·g = [−0.095, 0.19] → [0.905, −1.81]
    expect(w[0]).toBeCloseTo(0.905, 7);
    expect(w[1]).toBeCloseTo(-1.81, 7);
  });

  it('Adam: the first step moves every weight by about lr·sign(g)', () => {
    const w = w0();
    const opt = new Optimizer({ type: 'adam', learningRate: 0.01 }, 2);
    opt.step(w, g1);
    // m = 0.1·g, v = 0.001·g², α = 0.01·√0.001/0.1 → Δ = α·m/(√v + ε) = 0.01·|g|/(|g| + ε/√0.001)
    const delta0 = (0.01 * 0.5) / (0.5 + 1e-7 / Math.sqrt(0.001));
    expect(w[0]).toBeCloseTo(1 - delta0, 7);
    expect(w[1]).toBeCloseTo(-2 + (0.01 * 1) / (1 + 1e-7 / Math.sqrt(0.001)), 7);
    opt.step(w, g2);
    // Second step, by hand: m = 0.9·m + 0.1·g, v = 0.999·v + 0.001·g², α = lr·√(1 − 0.999²)/(1 − 0.9²).
    const m = 0.9 * 0.05 + 0.1 * 0.1;
    const v = 0.999 * 0.00025 + 0.001 * 0.01;
    const alpha = (0.01 * Math.sqrt(1 - 0.999 ** 2)) / (1 - 0.9 ** 2);
    expect(w[0]).toBeCloseTo(1 - delta0 - (alpha * m) / (Math.sqrt(v) + 1e-7), 7);
    expect(opt.getState().step).toBe(2);
  });

  it('AdamW: decoupled weight decay lr·wd·w before the Adam step', () => {
    const a = w0();
    const b = w0();
    new Optimizer({ type: 'adam', learningRate: 0.01 }, 2).step(a, g1);
    new Optimizer({ type: 'adamw', learningRate: 0.01, weightDecay: 0.1 }, 2).step(b, g1);
    expect(b[0]! - a[0]!).toBeCloseTo(-0.01 * 0.1 * 1, 9);
    expect(b[1]! - a[1]!).toBeCloseTo(-0.01 * 0.1 * -2, 9);
  });

  it('RMSprop: a = ρ·a + (1 − ρ)·g², w −= lr·g/√(a + ε); with momentum', () => {
    const w = w0();
    new Optimizer({ type: 'rmsprop', learningRate: 0.01 }, 2).step(w, g1);
    expect(w[0]).toBeCloseTo(1 - (0.01 * 0.5) / Math.sqrt(0.1 * 0.25 + 1e-7), 7);
    const u = w0();
    const opt = new Optimizer({ type: 'rmsprop', learningRate: 0.01, momentum: 0.5 }, 2);
    opt.step(u, g1);
    opt.step(u, g1);
    const d1 = (0.01 * 0.5) / Math.sqrt(0.1 * 0.25 + 1e-7);
    const d2 = (0.01 * 0.5) / Math.sqrt(0.19 * 0.25 + 1e-7);
    expect(u[0]).toBeCloseTo(1 - d1 - (0.5 * d1 + d2), 7);
  });

  it('refuses a state from another optimizer', () => {
    const adam = new Optimizer({ type: 'adam', learningRate: 0.01 }, 2);
    const sgd = new Optimizer({ type: 'sgd', learningRate: 0.01, momentum: 0.9 }, 2);
    expect(() => sgd.setState(adam.getState())).toThrow(
      'Optimizer state has slots [m, v] but a sgd optimizer needs [momentum].',
    );
  });
});

describe('the optimizer scalars every engine shares', () => {
  it('adamStepScalars: Keras defaults, the bias-corrected step size, AdamW decay (hand-computed)', () => {
    // Step 2 at lr 0.01: 0.01·√(1 − 0.999²)/(1 − 0.9²) = 0.01·√0.001999/0.19.
    const adamw = adamStepScalars({ type: 'adamw', learningRate: 0.5 }, 0.01, 2);
    expect(adamw.beta1).toBe(0.9);
    expect(adamw.beta2).toBe(0.999);
    expect(adamw.epsilon).toBe(1e-7);
    expect(adamw.stepSize).toBeCloseTo(0.0023531672533, 12);
    expect(adamw.decay).toBeCloseTo(1 - 0.01 * 0.004, 15);
    const adam = adamStepScalars(
      { type: 'adam', learningRate: 0.1, beta1: 0.5, beta2: 0.75, epsilon: 1e-3 },
      0.1,
      1,
    );
    // Step 1: lr·√(1 − β2)/(1 − β1) = 0.1·0.5/0.5; no decay for Adam.
    expect(adam).toEqual({ beta1: 0.5, beta2: 0.75, epsilon: 1e-3, stepSize: 0.1, decay: 1 });
  });

  it('rmspropScalars: Keras defaults unless given', () => {
    expect(rmspropScalars({ type: 'rmsprop', learningRate: 0.1 })).toEqual({
      rho: 0.9,
      momentum: 0,
      epsilon: 1e-7,
    });
    expect(
      rmspropScalars({ type: 'rmsprop', learningRate: 0.1, rho: 0.8, momentum: 0.5, epsilon: 1e-4 }),
    ).toEqual({
      rho: 0.8,
      momentum: 0.5,
      epsilon: 1e-4,
    });
  });
});
