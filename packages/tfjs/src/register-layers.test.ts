import type { ModelSpec, NamedWeights } from '@gruvision/math';
import { MathNetwork } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  concatValues,
  keras3GruConfig,
  keras3ModelFiles,
  keras3ModelJson,
  maxAbsDiff,
  randomInputs,
  randomWeights,
  testBackends,
} from './__fixtures__/test-utils';
import { memoryFilesHandler, memoryHandler } from './artifacts';
import { initBackend } from './backends';
import { buildModel } from './build-model';
import { KerasGRU } from './gru-layer';
import { loadModel } from './load-model';
import { layersRegistered, registerLayers } from './register-layers';

const T = 4;
const F = 3;
const units = 5;
const classes = 3;
const spec: ModelSpec = {
  timeSteps: T,
  features: F,
  classes,
  layers: [{ cell: 'gru', units, resetAfter: true }],
};
const bidiSpec: ModelSpec = {
  timeSteps: T,
  features: F,
  classes,
  layers: [
    { cell: 'gru', units, resetAfter: true },
    { cell: 'gru', units: 2, resetAfter: true, bidirectional: true },
  ],
};

/** Weights from the math core: seeded Keras initialization, then a few SGD steps (so biases are non-zero). */
async function mathTrained(s: ModelSpec): Promise<{ net: MathNetwork; weights: NamedWeights }> {
  const net = new MathNetwork(s, { seed: 21, optimizer: { type: 'sgd', learningRate: 0.5 } });
  const x = randomInputs(6 * T * F, 4);
  const y = Int32Array.from([0, 1, 2, 0, 1, 2]);
  for (let i = 0; i < 3; i++) await net.trainBatch(x, y, 6);
  return { net, weights: net.getWeights() };
}

function predict(model: tf.LayersModel, x: Float32Array, batch: number): Float32Array {
  return tf.tidy(
    () => (model.predict(tf.tensor3d(x, [batch, T, F])) as tf.Tensor).dataSync() as Float32Array,
  );
}

describe('registerLayers', () => {
  it('is explicit and idempotent', () => {
    expect(layersRegistered()).toBe(false);
    registerLayers();
    const entry = tf.serialization.SerializationMap.getMap().classNameMap.GRU;
    registerLayers();
    expect(layersRegistered()).toBe(true);
    expect(tf.serialization.SerializationMap.getMap().classNameMap.GRU).toBe(entry);
  });
});

describe.each(testBackends)('Keras 3 converter models on %s', (backend) => {
  beforeAll(async () => {
    registerLayers();
    await initBackend(backend);
  });

  for (const style of ['h5', 'keras'] as const) {
    for (const [label, s, bidirectionalUnits] of [
      ['GRU', spec, undefined],
      ['GRU + Bidirectional(GRU)', bidiSpec, 2],
    ] as const) {
      it(`loads a ${style}-converted ${label} with reset_after: true and predicts what the math core predicts`, async () => {
        const { net, weights } = await mathTrained(s);
        expect(weights.find((w) => w.name === 'gru/bias')!.values.some((v) => v !== 0)).toBe(true);
        const files = keras3ModelFiles({ T, F, units, classes, bidirectionalUnits }, weights, style);
        const loaded = await tf.loadLayersModel(
          memoryFilesHandler(files.modelJson, { [files.shard]: files.weightData }),
        );
        const gru = loaded.getLayer('gru') as KerasGRU;
        expect(gru).toBeInstanceOf(KerasGRU);
        expect(gru.resetAfter).toBe(true);
        expect(gru.getConfig()).toMatchObject({ recurrentActivation: 'sigmoid', resetAfter: true });
        const x = randomInputs(5 * T * F, 8);
        expect(maxAbsDiff(predict(loaded, x, 5), await net.predict(x, 5))).toBeLessThan(1e-5);
        const reference = buildModel(s, { weights });
        expect(maxAbsDiff(predict(loaded, x, 5), predict(reference, x, 5))).toBeLessThan(1e-6);
        loaded.dispose();
        reference.dispose();
      });
    }
  }

  it('loads a Keras 3 functional model (keras_history inbound nodes) with reset_after: true', async () => {
    const { net, weights } = await mathTrained(spec);
    const tensor = (shape: (number | null)[], from: string) => ({
      class_name: '__keras_tensor__',
      config: { shape, dtype: 'float32', keras_history: [from, 0, 0] },
    });
    const modelJson = keras3ModelJson(
      {
        class_name: 'Functional',
        config: {
          name: 'functional',
          trainable: true,
          layers: [
            {
              module: 'keras.layers',
              class_name: 'InputLayer',
              config: { batch_shape: [null, T, F], dtype: 'float32', sparse: false, name: 'input_layer' },
              registered_name: null,
              name: 'input_layer',
              inbound_nodes: [],
            },
            {
              module: 'keras.layers',
              class_name: 'GRU',
              config: keras3GruConfig('gru', units),
              registered_name: null,
              name: 'gru',
              inbound_nodes: [
                { args: [tensor([null, T, F], 'input_layer')], kwargs: { training: false, mask: null } },
              ],
            },
            {
              module: 'keras.layers',
              class_name: 'Dense',
              config: {
                name: 'dense',
                trainable: true,
                units: classes,
                activation: 'softmax',
                use_bias: true,
              },
              registered_name: null,
              name: 'dense',
              inbound_nodes: [{ args: [tensor([null, units], 'gru')], kwargs: {} }],
            },
          ],
          input_layers: ['input_layer', 0, 0],
          output_layers: ['dense', 0, 0],
        },
      },
      weights.map((w) => ({ name: `functional/${w.name.replace('gru/', 'gru/gru_cell/')}`, shape: w.shape })),
    );
    const loaded = await tf.loadLayersModel(memoryFilesHandler(modelJson, concatValues(weights)));
    expect(loaded.getLayer('gru')).toBeInstanceOf(KerasGRU);
    const x = randomInputs(3 * T * F, 12);
    expect(maxAbsDiff(predict(loaded, x, 3), await net.predict(x, 3))).toBeLessThan(1e-5);
    loaded.dispose();
  });

  it('reads reset_after: false GRUs into the same KerasGRU layer (one layer for both forms)', async () => {
    const plain: ModelSpec = { timeSteps: T, features: F, classes, layers: [{ cell: 'gru', units }] };
    const model = buildModel(plain, { weights: randomWeights(plain, 2) });
    const handler = memoryHandler();
    await model.save(handler);
    const loaded = await loadModel(handler);
    expect(loaded.getLayer('gru')).toBeInstanceOf(KerasGRU);
    expect((loaded.getLayer('gru') as KerasGRU).resetAfter).toBe(false);
    expect(loaded.getLayer('gru').getClassName()).toBe('GRU');
    const x = randomInputs(T * F, 3);
    expect(maxAbsDiff(predict(loaded, x, 1), predict(model, x, 1))).toBeLessThan(1e-7);
    model.dispose();
    loaded.dispose();
  });

  it('saves a reset_after model as class GRU with reset_after: true and loads it back', async () => {
    const model = buildModel(bidiSpec, { weights: randomWeights(bidiSpec, 4) });
    const handler = memoryHandler();
    await model.save(handler);
    const topology = JSON.stringify(handler.toFiles().modelJson.modelTopology);
    expect(topology).toContain('"class_name":"GRU"');
    expect(topology).toContain('"reset_after":true');
    expect(topology).not.toContain('GruvisionGRUCell');
    const loaded = await loadModel(handler);
    const x = randomInputs(3 * T * F, 6);
    expect(maxAbsDiff(predict(loaded, x, 3), predict(model, x, 3))).toBeLessThan(1e-7);
    model.dispose();
    loaded.dispose();
  });
});
