import type { ModelSpec } from '@gruvision/math';
import { mathEngine } from '@gruvision/math';
import { registerLayers } from '@gruvision/tfjs';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInPlainTfjs } from './__fixtures__/plain-tfjs';
import { randomWeights } from './__fixtures__/reference';
import { encodeArtifacts } from './artifact';
import { modelTopology } from './topology';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

const base = { timeSteps: 4, features: 3, classes: 3 } as const;
const hard: Record<string, ModelSpec> = {
  'GRU + GRU, hardSigmoid (0.2x)': {
    ...base,
    layers: [
      { cell: 'gru', units: 5, recurrentActivation: 'hardSigmoid' },
      { cell: 'gru', units: 4 },
    ],
  },
  "GRU resetAfter, updateGate takesNew (the founding text's form)": {
    ...base,
    layers: [{ cell: 'gru', units: 5, resetAfter: true, updateGate: 'takesNew' }],
  },
  'GRU resetAfter + LSTM, hardSigmoidKeras3 (x/6)': {
    ...base,
    layers: [
      { cell: 'gru', units: 5, resetAfter: true, recurrentActivation: 'hardSigmoidKeras3' },
      { cell: 'lstm', units: 4, recurrentActivation: 'hardSigmoidKeras3' },
    ],
  },
};
const plain: Record<string, ModelSpec> = {
  'bidirectional GRU': { ...base, layers: [{ cell: 'gru', units: 4, bidirectional: true }] },
  'LSTM then SimpleRNN, head dropout': {
    ...base,
    layers: [
      { cell: 'lstm', units: 4 },
      { cell: 'simpleRnn', units: 3 },
    ],
    headDropout: 0.2,
  },
  'GRU going backwards': { ...base, layers: [{ cell: 'gru', units: 4, goBackwards: true }] },
};

async function tfjsPredictions(spec: ModelSpec, x: Float32Array, batch: number): Promise<Float32Array> {
  const metadata = {
    classNames: ['a', 'b', 'c'],
    input: { height: spec.timeSteps, width: spec.features, channels: 1 },
    view: { mode: 'rows' as const },
    preprocess: 'none' as const,
    spec,
    seed: 0,
  };
  const weights = randomWeights(spec, 5);
  const model = await loadInPlainTfjs(encodeArtifacts(metadata, weights));
  const out = tf.tidy(() =>
    (model.predict(tf.tensor3d(x, [batch, spec.timeSteps, spec.features])) as tf.Tensor).dataSync(),
  );
  model.dispose();
  return Float32Array.from(out);
}

async function mathPredictions(spec: ModelSpec, x: Float32Array, batch: number): Promise<Float32Array> {
  const network = await mathEngine.create(spec, { seed: 0 });
  network.setWeights(randomWeights(spec, 5));
  return network.predict(x, batch);
}

describe('modelTopology', () => {
  it('names layers like Keras and puts the input shape on the first layer', () => {
    const topology = modelTopology(plain['bidirectional GRU']!);
    expect(topology.class_name).toBe('Sequential');
    const [rnn, dense] = topology.config.layers;
    expect(rnn).toMatchObject({
      class_name: 'Bidirectional',
      config: { name: 'bidirectional', merge_mode: 'concat', batch_input_shape: [null, 4, 3] },
    });
    expect((rnn!.config.layer as { config: Record<string, unknown> }).config).toMatchObject({
      name: 'gru',
      recurrent_activation: 'sigmoid',
      reset_after: false,
    });
    expect(dense).toMatchObject({
      class_name: 'Dense',
      config: { name: 'dense', units: 3, activation: 'softmax' },
    });
  });

  const x = Float32Array.from({ length: 2 * 4 * 3 }, (_, i) => Math.cos(0.7 * i));
  for (const [name, spec] of Object.entries(plain)) {
    it(`${name}: plain tf.loadLayersModel gives the math engine's predictions`, async () => {
      const [a, b] = [await tfjsPredictions(spec, x, 2), await mathPredictions(spec, x, 2)];
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
    });
  }

  for (const [name, spec] of Object.entries(hard)) {
    it(`${name}: plain tf.loadLayersModel refuses the explicit hard-sigmoid name`, async () => {
      await expect(tfjsPredictions(spec, x, 2)).rejects.toThrow(
        /hardSigmoid(Tfjs|Keras3)|reset_after|GruvisionGRU/,
      );
    });
  }

  it('resetAfter true loads in tfjs once @gruvision/tfjs registerLayers() ran', async () => {
    registerLayers();
    const spec: ModelSpec = { ...base, layers: [{ cell: 'gru', units: 4, resetAfter: true }] };
    const [a, b] = [await tfjsPredictions(spec, x, 2), await mathPredictions(spec, x, 2)];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
  });

  it('minGRU / minLSTM (classes MinGRU, MinLSTM) load in tfjs once registerLayers() ran', async () => {
    registerLayers();
    const spec: ModelSpec = {
      ...base,
      layers: [
        { cell: 'mingru', units: 4, bidirectional: true },
        { cell: 'minlstm', units: 3, goBackwards: true },
      ],
    };
    const topology = modelTopology(spec);
    expect(topology.config.layers.map((l) => l.class_name)).toEqual(['Bidirectional', 'MinLSTM', 'Dense']);
    const [a, b] = [await tfjsPredictions(spec, x, 2), await mathPredictions(spec, x, 2)];
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-5);
  });

  for (const [name, spec] of Object.entries(hard)) {
    it(`${name}: loads in tfjs once registerLayers() ran, with the math engine's predictions`, async () => {
      registerLayers();
      const [a, b] = [await tfjsPredictions(spec, x, 2), await mathPredictions(spec, x, 2)];
      for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-4);
    });
  }
});
