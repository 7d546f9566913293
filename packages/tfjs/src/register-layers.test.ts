import type { ModelSpec } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { memoryFilesHandler, memoryHandler } from './artifacts';
import { initBackend } from './backends';
import { buildModel } from './build-model';
import { KerasGRU } from './gru-layer';
import { loadModel } from './load-model';
import { layersRegistered, registerLayers } from './register-layers';
import { keras3ModelFiles, maxAbsDiff, randomInputs, randomWeights, testBackends } from './test-utils';

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
      it(`loads a ${style}-converted ${label} with reset_after: true and predicts what buildModel predicts`, async () => {
        const weights = randomWeights(s, 21);
        const files = keras3ModelFiles({ T, F, units, classes, bidirectionalUnits }, weights, style);
        const loaded = await tf.loadLayersModel(
          memoryFilesHandler(files.modelJson, { [files.shard]: files.weightData }),
        );
        const gru = loaded.getLayer('gru') as KerasGRU;
        expect(gru).toBeInstanceOf(KerasGRU);
        expect(gru.resetAfter).toBe(true);
        expect(gru.getConfig()).toMatchObject({ recurrentActivation: 'sigmoid', resetAfter: true });
        const reference = buildModel(s, { weights });
        const x = randomInputs(2 * T * F, 8);
        expect(maxAbsDiff(predict(loaded, x, 2), predict(reference, x, 2))).toBeLessThan(1e-6);
        loaded.dispose();
        reference.dispose();
      });
    }
  }

  it('keeps plain reset_after: false GRUs on stock tfjs', async () => {
    const plain: ModelSpec = { timeSteps: T, features: F, classes, layers: [{ cell: 'gru', units }] };
    const model = buildModel(plain, { weights: randomWeights(plain, 2) });
    const handler = memoryHandler();
    await model.save(handler);
    const loaded = await loadModel(handler);
    expect(loaded.getLayer('gru')).not.toBeInstanceOf(KerasGRU);
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
