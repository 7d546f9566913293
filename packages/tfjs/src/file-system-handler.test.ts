import { execFileSync } from 'node:child_process';
import {
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rm,
  symlink,
  truncate,
  unlink,
  writeFile,
} from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ModelSpec } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomInputs, randomWeights, testBackends } from './__fixtures__/test-utils';
import { initBackend } from './backends';
import { buildModel } from './build-model';
import { GruTfjsError } from './errors';
import { fileSystemHandler } from './file-system-handler';
import { loadModel } from './load-model';
import { registerLayers } from './register-layers';

const spec: ModelSpec = {
  timeSteps: 4,
  features: 3,
  classes: 3,
  layers: [
    { cell: 'gru', units: 4, resetAfter: true },
    { cell: 'gru', units: 3, bidirectional: true },
  ],
};

let root: string;

/** Saves a model of `spec` (seeded weights) into `dir` through the handler; returns `dir`. */
async function saveModel(dir: string): Promise<string> {
  const model = buildModel(spec, { weights: randomWeights(spec, 5) });
  await model.save(fileSystemHandler(dir));
  model.dispose();
  return dir;
}

/** Replaces the file `name` in `dir` by a symbolic link to `link`, a file holding `text`, or a FIFO. */
async function replaceFile(
  dir: string,
  name: string,
  by: { link: string } | { text: string } | 'fifo',
): Promise<void> {
  const path = join(dir, name);
  await unlink(path);
  if (by === 'fifo') execFileSync('mkfifo', [path]);
  else if ('link' in by) await symlink(by.link, path);
  else await writeFile(path, by.text);
}

/** The part of a saved model.json the tests edit. */
interface ModelJsonManifest {
  weightsManifest: { paths: string[]; weights: { name: string }[] }[];
}

/** Rewrites the model.json saved in `dir` through `edit`; returns its path. */
async function editModelJson(dir: string, edit: (json: ModelJsonManifest) => void): Promise<string> {
  const path = join(dir, 'model.json');
  const json = JSON.parse(await readFile(path, 'utf8'));
  edit(json);
  await writeFile(path, JSON.stringify(json));
  return path;
}

beforeAll(async () => {
  registerLayers();
  root = await mkdtemp(join(tmpdir(), 'gruvision-tfjs-'));
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

describe.each(testBackends)('fileSystemHandler on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('save → load round trip gives identical predictions; writes leave no temp files', async () => {
    const dir = join(root, backend, 'roundtrip');
    const model = buildModel(spec, { weights: randomWeights(spec, 5) });
    const metadata = { gruvision: { classNames: ['a', 'b', 'c'], view: { mode: 'rows' }, seed: 5 } };
    model.setUserDefinedMetadata(metadata);
    await model.save(fileSystemHandler(dir));
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.weightsManifest[0].paths).toEqual(['weights.bin']);
    const loaded = await tf.loadLayersModel(fileSystemHandler(dir));
    expect(json.userDefinedMetadata).toEqual(metadata);
    expect(loaded.getUserDefinedMetadata()).toEqual(metadata);
    const x = tf.tensor3d(randomInputs(5 * 4 * 3, 2), [5, 4, 3]);
    const a = Array.from((model.predict(x) as tf.Tensor).dataSync());
    const b = Array.from((loaded.predict(x) as tf.Tensor).dataSync());
    expect(b).toEqual(a);
    // saving again over an existing model replaces it atomically
    await loaded.save(fileSystemHandler(dir));
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    tf.dispose(x);
    model.dispose();
    loaded.dispose();
  });

  it('a failed save is a clear error and leaves no temp files behind', async () => {
    const dir = join(root, backend, 'blocked');
    await mkdir(join(dir, 'model.json'), { recursive: true }); // a directory where model.json must go
    const model = buildModel(spec, { weights: randomWeights(spec, 5) });
    const error = await model.save(fileSystemHandler(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GruTfjsError);
    expect((error as GruTfjsError).code).toBe('MODEL_SAVE_FAILED');
    expect((error as GruTfjsError).message).toMatch(
      /^Could not write the model to .*blocked: .*Check that the directory is writable\.$/,
    );
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
    model.dispose();
  });

  it('a truncated weights.bin is a clear error', async () => {
    const dir = await saveModel(join(root, backend, 'truncated'));
    await truncate(join(dir, 'weights.bin'), 100);
    const error = await loadModel(fileSystemHandler(dir)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GruTfjsError);
    expect((error as GruTfjsError).code).toBe('WEIGHTS_TRUNCATED');
    expect((error as GruTfjsError).message).toMatch(
      /weights.bin holds 100 bytes but the manifest in .*model.json describes \d+: the weights file is truncated/,
    );
  });

  it('a manifest that does not match the topology is a clear error', async () => {
    const dir = await saveModel(join(root, backend, 'mismatch'));
    await editModelJson(dir, (json) => {
      json.weightsManifest[0]!.weights[1]!.name = 'gru/renamed';
    });
    const error = await loadModel(fileSystemHandler(dir)).catch((e: unknown) => e);
    expect((error as GruTfjsError).code).toBe('WEIGHTS_MISMATCH');
    expect((error as GruTfjsError).message).toMatch(/does not match the model topology: .*gru\/renamed/);
  });

  it('refuses manifest paths outside the directory, a missing model.json and broken JSON', async () => {
    const dir = await saveModel(join(root, backend, 'escape'));
    const path = await editModelJson(dir, (json) => {
      json.weightsManifest[0]!.paths = ['../roundtrip/weights.bin'];
    });
    await expect(fileSystemHandler(dir).load!()).rejects.toThrow(
      /is not a plain relative path inside the model directory/,
    );
    await expect(fileSystemHandler(join(root, 'nowhere')).load!()).rejects.toThrow(
      /There is no model.json in .*nowhere. Check the path, or save a model there first./,
    );
    await writeFile(path, '{"modelTopology": ');
    await expect(fileSystemHandler(dir).load!()).rejects.toThrow(/model.json is not valid JSON/);
  });
});

describe('fileSystemHandler.load treats the directory as untrusted (the checks loadClassifier uses)', () => {
  async function savedModel(name: string): Promise<string> {
    await initBackend('cpu');
    return saveModel(join(root, 'untrusted', name));
  }

  it('refuses a weights.bin that links to a file outside the folder', async () => {
    const dir = await savedModel('link-out');
    const outside = join(root, 'untrusted', 'outside.bin');
    await writeFile(outside, await readFile(join(dir, 'weights.bin')));
    await replaceFile(dir, 'weights.bin', { link: outside });
    const error = (await fileSystemHandler(dir).load!().catch((e: unknown) => e)) as GruTfjsError;
    expect(error).toBeInstanceOf(GruTfjsError);
    expect(error.code).toBe('INVALID_MODEL_FILE');
    expect(error.message).toMatch(/weights.bin resolves outside the model directory \(.*outside.bin\)/);
  });

  it('refuses a weights.bin linked to /dev/zero and a FIFO without reading or waiting', async () => {
    const dir = await savedModel('devices');
    await replaceFile(dir, 'weights.bin', { link: '/dev/zero' });
    // /dev/zero is outside the folder; a device inside it (a bind mount, a FIFO) is refused as not regular.
    await expect(fileSystemHandler(dir).load!()).rejects.toThrow(/resolves outside the model directory/);
    await replaceFile(dir, 'weights.bin', 'fifo');
    await expect(fileSystemHandler(dir).load!()).rejects.toThrow(/weights.bin is a FIFO, not a regular file/);
  }, 10_000);

  it('confines model.json itself and never echoes file contents', async () => {
    const dir = await savedModel('json-link');
    const secret = join(root, 'untrusted', 'passwd');
    await writeFile(secret, 'root:x:0:0:root:/root:/bin/bash\n');
    await replaceFile(dir, 'model.json', { link: secret });
    const outside = (await fileSystemHandler(dir).load!().catch((e: unknown) => e)) as Error;
    expect(outside.message).toMatch(/model.json resolves outside the model directory/);
    expect(outside.message).not.toContain('root:x');
    await replaceFile(dir, 'model.json', { text: 'root:x:0:0:root:/root:/bin/bash\n' });
    const broken = (await fileSystemHandler(dir).load!().catch((e: unknown) => e)) as Error;
    expect(broken.message).toMatch(/model.json is not valid JSON.*\. The file is damaged/);
    expect(broken.message).not.toContain('root:x');
    await replaceFile(dir, 'model.json', 'fifo');
    await expect(fileSystemHandler(dir).load!()).rejects.toThrow(/model.json is a FIFO, not a regular file/);
  }, 10_000);

  it('bounds model.json and weight sizes before reading', async () => {
    const dir = await savedModel('sizes');
    await expect(fileSystemHandler(dir, { maxModelJsonBytes: 100 }).load!()).rejects.toThrow(
      /model.json is \d+ bytes, more than allowed/,
    );
    await expect(fileSystemHandler(dir, { maxWeightBytes: 16 }).load!()).rejects.toThrow(
      /weights.bin is \d+ bytes, more than allowed/,
    );
  });
});
