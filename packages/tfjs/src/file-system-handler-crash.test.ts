import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelSpec } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { randomWeights } from './__fixtures__/test-utils';
import { initBackend } from './backends';
import { buildModel } from './build-model';
import { registerLayers } from './register-layers';

// A crash during `model.save` is simulated by making the N-th changing file-system call fail, and
// every call after it too (a dead process neither cleans up nor finishes its renames).
const crash = vi.hoisted(() => ({ at: Number.POSITIVE_INFINITY, calls: 0 }));
vi.mock('node:fs/promises', async (importOriginal) => {
  const { crashingFs } = await import('../../math/src/__fixtures__/crashing-fs');
  return crashingFs(await importOriginal(), crash);
});

const { fileSystemHandler } = await import('./file-system-handler');

const spec: ModelSpec = {
  timeSteps: 4,
  features: 3,
  classes: 3,
  layers: [{ cell: 'gru', units: 4, resetAfter: true }],
};

let root: string;
beforeAll(async () => {
  registerLayers();
  await initBackend('cpu');
  root = await mkdtemp(join(tmpdir(), 'gruvision-tfjs-crash-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** A model whose metadata names it, and its weights as plain arrays. */
function tagged(tag: string, seed: number): { model: tf.LayersModel; weights: number[][] } {
  const model = buildModel(spec, { weights: randomWeights(spec, seed) });
  model.setUserDefinedMetadata({ tag });
  return { model, weights: model.getWeights().map((w) => Array.from(w.dataSync())) };
}

describe('fileSystemHandler.save under a crash at every step', () => {
  it('a reader finds the old model.json with the old weights or the new pair, never new weights beside an old model.json', async () => {
    const a = tagged('A', 1);
    const b = tagged('B', 2);
    const outcomes: string[] = [];
    for (let at = 1; ; at++) {
      const dir = join(root, `model-${at}`);
      crash.at = Number.POSITIVE_INFINITY;
      await a.model.save(fileSystemHandler(dir));
      await writeFile(join(dir, 'notes.txt'), 'kept beside the model');
      crash.calls = 0;
      crash.at = at;
      const saved = await b.model
        .save(fileSystemHandler(dir))
        .then(() => true)
        .catch(() => false);
      const crashed = crash.calls >= at;
      crash.at = Number.POSITIVE_INFINITY;
      const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
      const tag = (loaded.getUserDefinedMetadata() as { tag: string }).tag;
      const weights = loaded.getWeights().map((w) => Array.from(w.dataSync()));
      expect(weights, `crash at step ${at}: weights of model ${tag}`).toEqual(
        tag === 'A' ? a.weights : b.weights,
      );
      if (saved) expect(tag).toBe('B');
      expect((await readdir(dir)).sort()).toEqual(['model.json', 'notes.txt', 'weights.bin']);
      loaded.dispose();
      outcomes.push(tag);
      if (!crashed) break; // the whole save ran without reaching step `at`
    }
    // Crashes before the folder swap keep model A; after it (removing the old folder), model B.
    expect(outcomes).toContain('A');
    expect(outcomes.at(-1)).toBe('B');
    expect(outcomes.length).toBeGreaterThanOrEqual(5);
    a.model.dispose();
    b.model.dispose();
  });
});
