import { describe, expect, it } from 'vitest';
import { gradientError, Rng, randomArray } from './__fixtures__/gradient-check';
import type { FloatArray } from './float-array';
import { initializeWeights } from './initializers';
import { NetworkCore } from './network';
import type { ModelSpec } from './spec';

function checkNetworkGradients(
  spec: ModelSpec,
  options: { labelSmoothing?: number; l2?: number; l1?: number; dropout?: boolean; weights?: number[] },
): void {
  const B = 3;
  const rng = new Rng(21);
  const core = new NetworkCore(spec, 'float64');
  core.setWeights(initializeWeights(spec, 5));
  // Biases are zero after initialization: perturb every parameter so every path is exercised.
  for (let i = 0; i < core.params.length; i++) core.params[i]! += rng.uniform(-0.3, 0.3);
  const x = randomArray(rng, B * spec.timeSteps * spec.features);
  const labels = Int32Array.from({ length: B }, (_, i) => i % spec.classes);
  const ls = options.labelSmoothing ?? 0;
  const l2 = options.l2 ?? 0;
  const l1 = options.l1 ?? 0;
  const weights = options.weights ? Float64Array.from(options.weights) : null;
  if (options.dropout) {
    core.sampleDropoutMasks(new Rng(99), B);
    // The masks are really applied in training and only there.
    core.forward(x, B, false);
    const inference = Float64Array.from(core.probs);
    core.forward(x, B, true);
    expect(Array.from(core.probs)).not.toEqual(Array.from(inference));
  }
  const training = options.dropout ?? false;
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
    const err = gradientError(loss, p, g);
    expect(err, e.name).toBeLessThan(1e-6);
  }
  expect(gradientError(loss, x, dx), 'input').toBeLessThan(1e-6);
}

describe('NetworkCore: Float64 finite-difference gradient checks of whole networks', () => {
  const base = { timeSteps: 4, features: 3, classes: 3 };
  it('GRU + dense head with label smoothing and L2', () => {
    checkNetworkGradients(
      { ...base, layers: [{ cell: 'gru', units: 5 }] },
      { labelSmoothing: 0.1, l2: 0.01 },
    );
  });
  it('GRU + dense head with per-sample loss weights (class × sample; one sample weighs 0) and label smoothing', () => {
    checkNetworkGradients(
      { ...base, layers: [{ cell: 'gru', units: 5 }] },
      { labelSmoothing: 0.1, weights: [2.5, 0, 0.75] },
    );
  });
  it('GRU + dense head with L1 and L2 together (|w| is smooth away from 0)', () => {
    checkNetworkGradients({ ...base, layers: [{ cell: 'gru', units: 5 }] }, { l1: 0.02, l2: 0.01 });
  });
  it('stacked GRU (returnSequences) → LSTM → SimpleRNN', () => {
    checkNetworkGradients(
      {
        ...base,
        layers: [
          { cell: 'gru', units: 4, resetAfter: true },
          { cell: 'lstm', units: 3 },
          { cell: 'simpleRnn', units: 4, goBackwards: true },
        ],
      },
      {},
    );
  });
  it('bidirectional GRU then bidirectional LSTM (last layer)', () => {
    checkNetworkGradients(
      {
        ...base,
        layers: [
          { cell: 'gru', units: 3, bidirectional: true, recurrentActivation: 'hardSigmoid' },
          { cell: 'lstm', units: 2, bidirectional: true },
        ],
      },
      {},
    );
  });
  it('stacked bidirectional layers with dropout, recurrent dropout and head dropout (masks held fixed)', () => {
    checkNetworkGradients(
      {
        ...base,
        headDropout: 0.3,
        layers: [
          { cell: 'gru', units: 3, bidirectional: true, dropout: 0.3, recurrentDropout: 0.3 },
          { cell: 'lstm', units: 3, dropout: 0.2, recurrentDropout: 0.4 },
          { cell: 'simpleRnn', units: 2, bidirectional: true, dropout: 0.25, recurrentDropout: 0.25 },
        ],
      },
      { dropout: true },
    );
  });
});
