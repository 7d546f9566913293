// Runs without registerLayers(): this file checks what a user sees before registering.
import type { ModelSpec } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { keras3ModelFiles, randomWeights, testBackends } from './__fixtures__/test-utils';
import { memoryFilesHandler, memoryHandler } from './artifacts';
import { initBackend } from './backends';
import { buildModel } from './build-model';
import { GruTfjsError } from './errors';
import { diagnoseLoadError, loadModel } from './load-model';
import { layersRegistered } from './register-layers';

const spec: ModelSpec = {
  timeSteps: 4,
  features: 3,
  classes: 3,
  layers: [{ cell: 'gru', units: 5, resetAfter: true }],
};

describe.each(testBackends)('loading before registerLayers() on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('stock tfjs refuses Keras 3 models and reset_after GRUs', async () => {
    expect(layersRegistered()).toBe(false);
    const files = keras3ModelFiles({ T: 4, F: 3, units: 5, classes: 3 }, randomWeights(spec, 1), 'h5');
    await expect(tf.loadLayersModel(memoryFilesHandler(files.modelJson, files.weightData))).rejects.toThrow(
      /InputLayer should be passed either a `batchInputShape` or an `inputShape`/,
    );
    // The same GRU in the Keras 2 form (batch_input_shape on the GRU, no InputLayer) reaches tfjs' GRUCell.
    const keras2 = structuredClone(files.modelJson) as {
      modelTopology: { model_config: { config: { layers: { config: Record<string, unknown> }[] } } };
    };
    const layers = keras2.modelTopology.model_config.config.layers;
    layers.shift();
    layers[0]!.config.batch_input_shape = [null, 4, 3];
    await expect(tf.loadLayersModel(memoryFilesHandler(keras2, files.weightData))).rejects.toThrow(
      'GRUCell does not support reset_after parameter set to true.',
    );
    const error = await loadModel(memoryFilesHandler(keras2, files.weightData)).catch((e: unknown) => e);
    expect((error as GruTfjsError).code).toBe('LAYERS_NOT_REGISTERED');
    expect((error as GruTfjsError).message).toMatch(/^This model has a GRU with reset_after: true/);
  });

  it('loadModel tells the user to call registerLayers()', async () => {
    const files = keras3ModelFiles({ T: 4, F: 3, units: 5, classes: 3 }, randomWeights(spec, 1), 'keras');
    const error = await loadModel(memoryFilesHandler(files.modelJson, files.weightData)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GruTfjsError);
    expect((error as GruTfjsError).code).toBe('LAYERS_NOT_REGISTERED');
    expect((error as GruTfjsError).message).toMatch(/^This model has a GRU with reset_after: true/);
    expect((error as GruTfjsError).message).toMatch(/Call registerLayers\(\) from '@gruvision\/tfjs'/);
    expect(layersRegistered()).toBe(false);
  });

  it('a manifest that does not match the topology is a WEIGHTS_MISMATCH error', async () => {
    const plain: ModelSpec = { ...spec, layers: [{ cell: 'gru', units: 5 }] };
    const model = buildModel(plain, { weights: randomWeights(plain, 2) });
    const handler = memoryHandler();
    await model.save(handler);
    const { modelJson, weightData } = handler.toFiles();
    const renamed = structuredClone(modelJson);
    renamed.weightsManifest[0]!.weights[0]!.name = 'gru/not_a_kernel';
    const error = await loadModel(memoryFilesHandler(renamed, weightData)).catch((e: unknown) => e);
    expect((error as GruTfjsError).code).toBe('WEIGHTS_MISMATCH');
    expect((error as GruTfjsError).message).toMatch(
      /weights manifest does not match the model topology: .*gru\/not_a_kernel.*Keep model.json and its weights from the same save/,
    );
    model.dispose();
  });

  it('wraps unknown failures with their cause', () => {
    const cause = new Error('boom');
    const wrapped = diagnoseLoadError(cause);
    expect(wrapped.code).toBe('MODEL_LOAD_FAILED');
    expect(wrapped.message).toBe('Loading the model failed: boom');
    expect(wrapped.cause).toBe(cause);
  });
});
