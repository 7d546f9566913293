import type { ModelSpec } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { randomInputs, randomWeights, testBackends } from './__fixtures__/test-utils';
import { fromModelFiles, memoryFilesHandler, memoryHandler, toModelFiles } from './artifacts';
import { initBackend } from './backends';
import { buildModel } from './build-model';
import { GruTfjsError } from './errors';
import { loadModel } from './load-model';

const spec: ModelSpec = { timeSteps: 3, features: 2, classes: 2, layers: [{ cell: 'lstm', units: 3 }] };

async function savedFiles(): Promise<{ modelJson: tf.io.ModelJSON; weightData: ArrayBuffer }> {
  const model = buildModel(spec, { weights: randomWeights(spec, 9) });
  const handler = memoryHandler();
  await model.save(handler);
  model.dispose();
  return handler.toFiles();
}

describe.each(testBackends)('in-memory artifacts on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('save → load through the memory handler gives identical predictions', async () => {
    const model = buildModel(spec, { weights: randomWeights(spec, 9) });
    const handler = memoryHandler();
    await model.save(handler);
    const loaded = await loadModel(handler);
    const x = tf.tensor3d(randomInputs(4 * 3 * 2, 1), [4, 3, 2]);
    const a = (model.predict(x) as tf.Tensor).dataSync();
    const b = (loaded.predict(x) as tf.Tensor).dataSync();
    expect(Array.from(b)).toEqual(Array.from(a));
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  it('writes one weights.bin group in layers-model format', async () => {
    const { modelJson, weightData } = await savedFiles();
    expect(modelJson.format).toBe('layers-model');
    expect(modelJson.weightsManifest).toHaveLength(1);
    expect(modelJson.weightsManifest[0]!.paths).toEqual(['weights.bin']);
    expect(weightData.byteLength).toBe((2 * 12 + 3 * 12 + 12 + 3 * 2 + 2) * 4);
  });
});

describe('model file checks', () => {
  it('a truncated weights file is a clear error', async () => {
    const { modelJson, weightData } = await savedFiles();
    const error = await fromModelFiles(modelJson, async () =>
      weightData.slice(0, weightData.byteLength - 8),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GruTfjsError);
    expect((error as GruTfjsError).code).toBe('WEIGHTS_TRUNCATED');
    expect((error as GruTfjsError).message).toBe(
      `weights.bin holds ${weightData.byteLength - 8} bytes but the manifest in model.json describes ${weightData.byteLength}: the weights file is truncated (an interrupted copy or download?). Copy or save the model again.`,
    );
  });

  it('a weights file longer than its manifest is a clear error', async () => {
    const { modelJson, weightData } = await savedFiles();
    const longer = new Uint8Array(weightData.byteLength + 4);
    await expect(memoryFilesHandler(modelJson, longer).load!()).rejects.toThrow(
      /describes \d+: the weights file belongs to a different model/,
    );
  });

  it('refuses weights paths that leave the model directory', async () => {
    const { modelJson, weightData } = await savedFiles();
    for (const path of [
      '../secret.bin',
      '/etc/passwd',
      'https://example.com/w.bin',
      'a//b.bin',
      'a\\..\\b',
    ]) {
      const bad = structuredClone(modelJson);
      bad.weightsManifest[0]!.paths = [path];
      await expect(fromModelFiles(bad, async () => weightData)).rejects.toThrow(
        /is not a plain relative path inside the model directory/,
      );
    }
  });

  it('refuses files that are not layers models', async () => {
    await expect(fromModelFiles({ foo: 1 }, async () => new ArrayBuffer(0))).rejects.toThrow(
      /model.json has no modelTopology: it is not a TensorFlow.js layers model/,
    );
    await expect(
      fromModelFiles({ format: 'graph-model', modelTopology: {} }, async () => new ArrayBuffer(0)),
    ).rejects.toThrow(/only "layers-model" can be loaded/);
    const { modelJson } = await savedFiles();
    await expect(memoryFilesHandler(modelJson, {}).load!()).rejects.toThrow(
      /names the weights file "weights.bin", which was not given/,
    );
  });

  it('an empty memory handler says to save first', async () => {
    await expect(memoryHandler().load()).rejects.toThrow(/holds no model yet. Save a model into it first/);
    expect(() =>
      toModelFiles({
        modelTopology: {},
        weightSpecs: [{ name: 'a', shape: [2], dtype: 'float32' }],
        weightData: new ArrayBuffer(4),
      }),
    ).toThrow(/describe 8 bytes but its weight data has 4/);
  });
});
