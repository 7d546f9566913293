// Parity of the tfjs engine with the math core (@gruvision/math) on the same weights and inputs.
import type { ModelSpec, NamedWeights, NetworkOptions } from '@gruvision/math';
import { MathNetwork, recurrentLayerForward } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomInputs, randomWeights, testBackends } from './__fixtures__/test-utils';
import { initBackend } from './backends';
import { buildRecurrentLayer } from './build-model';
import { TfjsNetwork } from './tfjs-engine';

const T = 5;
const F = 3;
const C = 3;
const B = 4;

const variants: Record<string, ModelSpec['layers']> = {
  'GRU resetAfter false, sigmoid': [{ cell: 'gru', units: 4 }],
  'GRU resetAfter false, hardSigmoid': [{ cell: 'gru', units: 4, recurrentActivation: 'hardSigmoid' }],
  'GRU resetAfter true, sigmoid': [{ cell: 'gru', units: 4, resetAfter: true }],
  'GRU resetAfter true, hardSigmoid': [
    { cell: 'gru', units: 4, resetAfter: true, recurrentActivation: 'hardSigmoid' },
  ],
  'GRU resetAfter false, hardSigmoidKeras3': [
    { cell: 'gru', units: 4, recurrentActivation: 'hardSigmoidKeras3' },
  ],
  'GRU resetAfter true, hardSigmoidKeras3': [
    { cell: 'gru', units: 4, resetAfter: true, recurrentActivation: 'hardSigmoidKeras3' },
  ],
  "GRU resetAfter true, updateGate takesNew (the founding text's form)": [
    { cell: 'gru', units: 4, resetAfter: true, updateGate: 'takesNew' },
  ],
  'bidirectional GRU resetAfter false, updateGate takesNew': [
    {
      cell: 'gru',
      units: 3,
      updateGate: 'takesNew',
      bidirectional: true,
      recurrentActivation: 'hardSigmoid',
    },
  ],
  'LSTM sigmoid': [{ cell: 'lstm', units: 4 }],
  'LSTM hardSigmoid': [{ cell: 'lstm', units: 3, recurrentActivation: 'hardSigmoid' }],
  'LSTM hardSigmoidKeras3': [{ cell: 'lstm', units: 3, recurrentActivation: 'hardSigmoidKeras3' }],
  SimpleRNN: [{ cell: 'simpleRnn', units: 4 }],
  'stacked GRU(resetAfter) → LSTM → SimpleRNN': [
    { cell: 'gru', units: 4, resetAfter: true },
    { cell: 'lstm', units: 3 },
    { cell: 'simpleRnn', units: 3 },
  ],
  'bidirectional GRU(resetAfter) → bidirectional LSTM': [
    { cell: 'gru', units: 3, resetAfter: true, bidirectional: true },
    { cell: 'lstm', units: 2, bidirectional: true },
  ],
  'goBackwards GRU → goBackwards GRU(resetAfter)': [
    { cell: 'gru', units: 3, goBackwards: true },
    { cell: 'gru', units: 3, goBackwards: true, resetAfter: true },
  ],
  'bidirectional goBackwards SimpleRNN': [
    { cell: 'simpleRnn', units: 3, bidirectional: true, goBackwards: true },
  ],
  minGRU: [{ cell: 'mingru', units: 4 }],
  minLSTM: [{ cell: 'minlstm', units: 4 }],
  'bidirectional minGRU → goBackwards minLSTM → GRU': [
    { cell: 'mingru', units: 3, bidirectional: true },
    { cell: 'minlstm', units: 3, goBackwards: true },
    { cell: 'gru', units: 2 },
  ],
  'bidirectional goBackwards minLSTM': [
    { cell: 'minlstm', units: 3, bidirectional: true, goBackwards: true },
  ],
};

const specOf = (layers: ModelSpec['layers']): ModelSpec => ({
  timeSteps: T,
  features: F,
  classes: C,
  layers,
});
const labels = Int32Array.from({ length: B }, (_, i) => i % C);
const x = randomInputs(B * T * F, 23);

/** Largest difference relative to the largest magnitude of the reference tensor. */
function relativeDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let scale = 0;
  for (let i = 0; i < b.length; i++) scale = Math.max(scale, Math.abs(b[i]!));
  return maxAbsDiff(a, b) / Math.max(scale, 1e-6);
}

async function pair(spec: ModelSpec, options: NetworkOptions, weights: NamedWeights) {
  const math = new MathNetwork(spec, options);
  const tfjs = new TfjsNetwork(spec, options);
  math.setWeights(weights);
  tfjs.setWeights(weights);
  return { math, tfjs };
}

describe.each(testBackends)('parity with the math core on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  for (const [label, layers] of Object.entries(variants)) {
    describe(label, () => {
      const spec = specOf(layers);
      const weights = randomWeights(spec, 17);

      it('starts from the same seeded initial weights', () => {
        const math = new MathNetwork(spec, { seed: 5 });
        const tfjs = new TfjsNetwork(spec, { seed: 5 });
        const a = math.getWeights();
        const b = tfjs.getWeights();
        expect(b.map((w) => w.name)).toEqual(a.map((w) => w.name));
        b.forEach((w, i) => {
          expect(w.values).toEqual(a[i]!.values);
        });
        tfjs.dispose();
      });

      it('forward: probabilities within 1e-5', async () => {
        const { math, tfjs } = await pair(spec, { seed: 1 }, weights);
        expect(maxAbsDiff(await tfjs.predict(x, B), await math.predict(x, B))).toBeLessThan(1e-5);
        tfjs.dispose();
      });

      it('gradients within 1e-4 (relative), loss within 1e-5', async () => {
        const { math, tfjs } = await pair(
          spec,
          { seed: 1, l2: 1e-3, l1: 1e-3, labelSmoothing: 0.1 },
          weights,
        );
        const expected = math.computeGradients(x, labels, B);
        const actual = await tfjs.computeGradients(x, labels, B);
        expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-5);
        expect(actual.gradients.map((g) => g.name)).toEqual(expected.gradients.map((g) => g.name));
        actual.gradients.forEach((g, i) => {
          expect(relativeDiff(g.values, expected.gradients[i]!.values), g.name).toBeLessThan(1e-4);
        });
        tfjs.dispose();
      });

      it('trace: states and gates per step within 1e-5', async () => {
        const { math, tfjs } = await pair(spec, { seed: 1 }, weights);
        const sample = x.subarray(0, T * F);
        const expected = await math.trace(sample);
        const actual = await tfjs.trace(sample);
        expect(actual.layers.map((l) => [l.layer, l.direction, Object.keys(l.gates)])).toEqual(
          expected.layers.map((l) => [l.layer, l.direction, Object.keys(l.gates)]),
        );
        actual.layers.forEach((l, i) => {
          const e = expected.layers[i]!;
          expect(maxAbsDiff(l.h, e.h)).toBeLessThan(1e-5);
          for (const [gate, values] of Object.entries(l.gates)) {
            expect(maxAbsDiff(values, e.gates[gate]!), `${l.layer} ${gate}`).toBeLessThan(1e-5);
          }
        });
        expect(maxAbsDiff(actual.stepProbabilities, expected.stepProbabilities)).toBeLessThan(1e-5);
        expect(maxAbsDiff(actual.probabilities, expected.probabilities)).toBeLessThan(1e-5);
        tfjs.dispose();
      });
    });
  }

  const singleLayers: Record<string, ModelSpec['layers'][number]> = {
    'GRU resetAfter false, sigmoid': { cell: 'gru', units: 4 },
    'GRU resetAfter false, hardSigmoid, goBackwards': {
      cell: 'gru',
      units: 4,
      recurrentActivation: 'hardSigmoid',
      goBackwards: true,
    },
    'GRU resetAfter true, sigmoid': { cell: 'gru', units: 4, resetAfter: true },
    'GRU resetAfter true, hardSigmoid, goBackwards': {
      cell: 'gru',
      units: 4,
      resetAfter: true,
      recurrentActivation: 'hardSigmoid',
      goBackwards: true,
    },
    'LSTM sigmoid': { cell: 'lstm', units: 4 },
    'LSTM hardSigmoid, goBackwards': {
      cell: 'lstm',
      units: 4,
      recurrentActivation: 'hardSigmoid',
      goBackwards: true,
    },
    SimpleRNN: { cell: 'simpleRnn', units: 4 },
  };
  for (const [label, layer] of Object.entries(singleLayers)) {
    it(`one ${label} layer: full output sequence within 1e-5 of recurrentLayerForward`, () => {
      const spec = specOf([layer]);
      const [kernel, recurrentKernel, bias] = randomWeights(spec, 31).slice(0, 3);
      const tfLayer = buildRecurrentLayer(layer, { returnSequences: true });
      const input = tf.input({ shape: [T, F] });
      tfLayer.apply(input);
      tfLayer.setWeights([kernel!, recurrentKernel!, bias!].map((w) => tf.tensor(w.values, [...w.shape])));
      const actual = tf.tidy(() => (tfLayer.apply(tf.tensor3d(x, [B, T, F])) as tf.Tensor).dataSync());
      const expected = recurrentLayerForward(
        x,
        B,
        T,
        { kernel: kernel!.values, recurrentKernel: recurrentKernel!.values, bias: bias!.values },
        { ...layer, returnSequences: true },
      );
      expect(actual.length).toBe(B * T * layer.units);
      expect(maxAbsDiff(actual, expected)).toBeLessThan(1e-5);
      for (const w of tfLayer.weights) w.dispose();
    });
  }

  const optimizers: Record<string, NetworkOptions> = {
    adam: { seed: 1, optimizer: { type: 'adam', learningRate: 1e-2 } },
    'adamw + clipNorm': {
      seed: 1,
      optimizer: { type: 'adamw', learningRate: 1e-2, weightDecay: 0.01 },
      clipNorm: 0.5,
    },
    'sgd momentum nesterov + l2': {
      seed: 1,
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9, nesterov: true },
      l2: 1e-3,
    },
    sgd: { seed: 1, optimizer: { type: 'sgd', learningRate: 0.1 }, labelSmoothing: 0.1 },
    'rmsprop momentum': { seed: 1, optimizer: { type: 'rmsprop', learningRate: 1e-3, momentum: 0.5 } },
  };
  for (const [label, options] of Object.entries(optimizers)) {
    it(`after training steps with ${label}, weights and optimizer state within 1e-4`, async () => {
      const spec = specOf([
        { cell: 'gru', units: 4, resetAfter: true },
        { cell: 'lstm', units: 3, bidirectional: true },
      ]);
      const { math, tfjs } = await pair(spec, options, randomWeights(spec, 3));
      const x = randomInputs(B * T * F, 9);
      for (let step = 0; step < 2; step++) {
        const a = await math.trainBatch(x, labels, B);
        const b = await tfjs.trainBatch(x, labels, B);
        expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
        expect(b.correct).toBe(a.correct);
        const mw = math.getWeights();
        tfjs.getWeights().forEach((w, i) => {
          expect(maxAbsDiff(w.values, mw[i]!.values), w.name).toBeLessThan(1e-4);
        });
      }
      const ms = math.getOptimizerState();
      const ts = tfjs.getOptimizerState();
      expect(ts.step).toBe(ms.step);
      expect(Object.keys(ts.slots).sort()).toEqual(Object.keys(ms.slots).sort());
      for (const [name, values] of Object.entries(ts.slots)) {
        expect(relativeDiff(values, ms.slots[name]!)).toBeLessThan(1e-4);
      }
      tfjs.dispose();
    });
  }

  it('per-sample loss weights (Σ wᵢ·lossᵢ / B): gradients, losses and training steps within 1e-4 of the math core', async () => {
    const spec = specOf([
      { cell: 'gru', units: 4 },
      { cell: 'lstm', units: 3, bidirectional: true },
    ]);
    const options: NetworkOptions = { seed: 1, labelSmoothing: 0.1, l1: 1e-3 };
    const { math, tfjs } = await pair(spec, options, randomWeights(spec, 5));
    const w = Float32Array.from({ length: B }, (_, i) => [2.5, 0, 0.5][i % 3]!);
    const expected = math.computeGradients(x, labels, B, w);
    const actual = await tfjs.computeGradients(x, labels, B, w);
    const unweighted = math.computeGradients(x, labels, B);
    expect(Math.abs(expected.loss - unweighted.loss)).toBeGreaterThan(1e-3);
    expect(Math.abs(actual.loss - expected.loss)).toBeLessThan(1e-5);
    actual.gradients.forEach((g, i) => {
      expect(relativeDiff(g.values, expected.gradients[i]!.values), g.name).toBeLessThan(1e-4);
    });
    for (let step = 0; step < 2; step++) {
      const a = await math.trainBatch(x, labels, B, w);
      const b = await tfjs.trainBatch(x, labels, B, w);
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
    }
    const mw = math.getWeights();
    tfjs.getWeights().forEach((v, i) => {
      expect(maxAbsDiff(v.values, mw[i]!.values), v.name).toBeLessThan(1e-4);
    });
    await expect(tfjs.trainBatch(x, labels, B, Float32Array.of(1))).rejects.toThrow(
      expect.objectContaining({
        code: 'SHAPE_MISMATCH',
        message: expect.stringContaining('weights has 1 values'),
      }),
    );
    tfjs.dispose();
  });

  const withDropout: Record<string, Pick<ModelSpec, 'layers' | 'headDropout'>> = {
    'GRU resetAfter false, dropout + recurrent dropout': {
      layers: [{ cell: 'gru', units: 4, dropout: 0.3, recurrentDropout: 0.4 }],
    },
    'GRU resetAfter true, dropout + recurrent dropout, head dropout': {
      layers: [{ cell: 'gru', units: 4, resetAfter: true, dropout: 0.2, recurrentDropout: 0.5 }],
      headDropout: 0.3,
    },
    'bidirectional GRU(resetAfter false) → bidirectional LSTM → SimpleRNN, all with dropout': {
      layers: [
        { cell: 'gru', units: 3, bidirectional: true, dropout: 0.2, recurrentDropout: 0.4 },
        { cell: 'lstm', units: 3, bidirectional: true, dropout: 0.3, recurrentDropout: 0.3 },
        { cell: 'simpleRnn', units: 3, dropout: 0.1, recurrentDropout: 0.5 },
      ],
    },
  };
  for (const [label, partial] of Object.entries(withDropout)) {
    it(`training with ${label}: the same seeded masks, weights within 1e-4 of the math core`, async () => {
      const spec: ModelSpec = { ...specOf(partial.layers), headDropout: partial.headDropout };
      const options: NetworkOptions = { seed: 7, optimizer: { type: 'sgd', learningRate: 0.5 } };
      const math = new MathNetwork(spec, options);
      const tfjs = new TfjsNetwork(spec, options);
      const initial = math.getWeights();
      const xs = randomInputs(B * T * F, 12);
      for (let step = 0; step < 3; step++) {
        const a = await math.trainBatch(xs, labels, B);
        const b = await tfjs.trainBatch(xs, labels, B);
        expect(Math.abs(a.loss - b.loss), `step ${step} loss`).toBeLessThan(1e-5);
      }
      const expected = math.getWeights();
      tfjs.getWeights().forEach((w, i) => {
        expect(maxAbsDiff(w.values, expected[i]!.values), w.name).toBeLessThan(1e-4);
      });
      // The masks handed to the cells are freed with each step.
      const tensors = tf.memory().numTensors;
      await tfjs.trainBatch(xs, labels, B);
      expect(tf.memory().numTensors).toBe(tensors);
      // The masks matter: other masks (another seed, same start) give clearly other weights.
      const other = new MathNetwork(spec, { ...options, seed: 8 });
      other.setWeights(initial);
      for (let step = 0; step < 3; step++) await other.trainBatch(xs, labels, B);
      const moved = Math.max(...other.getWeights().map((w, i) => maxAbsDiff(w.values, expected[i]!.values)));
      expect(moved).toBeGreaterThan(1e-3);
      tfjs.dispose();
    });
  }

  it('training continues identically after moving weights and Adam state from math to tfjs', async () => {
    const spec = specOf([{ cell: 'gru', units: 4, resetAfter: true }]);
    const options: NetworkOptions = { seed: 2, optimizer: { type: 'adam', learningRate: 1e-2 } };
    const math = new MathNetwork(spec, options);
    const xs = randomInputs(B * T * F, 41);
    for (let i = 0; i < 3; i++) await math.trainBatch(xs, labels, B);
    const tfjs = new TfjsNetwork(spec, { ...options, seed: 99 });
    tfjs.setWeights(math.getWeights());
    tfjs.setOptimizerState(math.getOptimizerState());
    await math.trainBatch(xs, labels, B);
    await tfjs.trainBatch(xs, labels, B);
    const expected = math.getWeights();
    tfjs.getWeights().forEach((w, i) => {
      expect(maxAbsDiff(w.values, expected[i]!.values), w.name).toBeLessThan(1e-4);
    });
    expect(tfjs.getOptimizerState().step).toBe(4);
    tfjs.dispose();
  });
});
