import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadInPlainTfjs } from './__fixtures__/plain-tfjs';
import { barsModel, barsSet } from './__fixtures__/synthetic';
import { useTempFolder } from './__fixtures__/temp-folder';
import { GruClassifier } from './classifier';
import { checkpointDirectory, loadCheckpoint, loadClassifier, saveClassifier } from './node-io';

const train = barsSet(60, 1);
const test = barsSet(12, 2);
const small = barsModel(10, 5);

const root = useTempFolder('node-io');
beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('saveClassifier / loadClassifier', () => {
  it('saves a layers-model directory that loads with the same predictions, here and in plain tfjs', async () => {
    const model = await GruClassifier.create(small);
    await model.fit(train, { epochs: 2, batchSize: 20, learningRate: 0.01 });
    const dir = join(root(), 'model');
    await saveClassifier(model, dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const loaded = await loadClassifier(dir);
    const [a, b] = [await model.predict(test), await loaded.predict(test)];
    a.forEach((p, i) => {
      expect(Array.from(b[i]!.probabilities)).toEqual(Array.from(p.probabilities));
    });

    // The same directory opens in tf.loadLayersModel; feed it the model's own sequences.
    const tfModel = await loadInPlainTfjs({
      modelJson: JSON.parse(await readFile(join(dir, 'model.json'), 'utf8')),
      weightData: new Uint8Array(await readFile(join(dir, 'weights.bin'))),
    });
    const explanation = await model.explain(test, 3);
    const out = tf.tidy(() =>
      (tfModel.predict(tf.tensor3d(explanation.sequence, [1, 8, 8])) as tf.Tensor).dataSync(),
    );
    for (let c = 0; c < 3; c++) expect(Math.abs(out[c]! - a[3]!.probabilities[c]!)).toBeLessThan(1e-4);
    tfModel.dispose();
  });
});

describe('checkpointDirectory / loadCheckpoint', () => {
  it('resumes from disk after epoch 2 to the same final weights, keeping the newest checkpoints', async () => {
    const options = { epochs: 4, batchSize: 16, learningRate: 0.01, validation: 0.25 } as const;
    const dir = join(root(), 'ckpt');
    const full = await GruClassifier.create(small);
    await full.fit(train, { ...options, checkpoint: { save: checkpointDirectory(dir, { keep: 3 }).save } });
    expect((await readdir(dir)).sort()).toEqual(['epoch-0002', 'epoch-0003', 'epoch-0004', 'latest.json']);
    expect((await readdir(join(dir, 'epoch-0002'))).sort()).toEqual([
      'checkpoint.json',
      'model.json',
      'optimizer.bin',
      'weights.bin',
    ]);
    const latest = await checkpointDirectory(dir).latest();
    expect(latest?.epoch).toBe(4);

    const fromEpoch2 = await loadCheckpoint(join(dir, 'epoch-0002'));
    expect(fromEpoch2.epoch).toBe(2);
    expect(fromEpoch2.optimizer.step).toBe(2 * Math.ceil(45 / 16));
    const resumed = await GruClassifier.create(small);
    await resumed.fit(train, { ...options, resumeFrom: fromEpoch2 });
    const want = full.getWeights();
    resumed.getWeights().forEach((w, i) => {
      expect(Array.from(w.values)).toEqual(Array.from(want[i]!.values));
    });
    // A checkpoint directory is also a model directory.
    const asModel = await loadClassifier(join(dir, 'epoch-0004'));
    expect((await asModel.predict(test))[0]!.probabilities).toEqual(
      (await full.predict(test))[0]!.probabilities,
    );
  });

  it('explains missing or damaged checkpoints', async () => {
    await expect(loadCheckpoint(join(root(), 'none'))).rejects.toThrow(
      `${join(root(), 'none')}: no checkpoint there (no checkpoint.json and no epoch-NNNN folder).`,
    );
    const dir = join(root(), 'ckpt-bad');
    const model = await GruClassifier.create(small);
    await model.fit(train, { epochs: 1, batchSize: 30, checkpoint: { save: checkpointDirectory(dir).save } });
    await writeFile(join(dir, 'epoch-0001', 'optimizer.bin'), new Uint8Array(12));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      `${join(dir, 'epoch-0001')}/optimizer.bin: holds 12 bytes, expected`,
    );
    // latest.json is never followed as a path: the newest epoch-NNNN folder is what loads.
    await writeFile(join(dir, 'latest.json'), JSON.stringify({ dir: '../../etc' }));
    await expect(loadCheckpoint(dir)).rejects.toThrow(
      `${join(dir, 'epoch-0001')}/optimizer.bin: holds 12 bytes, expected`,
    );
  });
});
