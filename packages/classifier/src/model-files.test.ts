import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { mkdir, readdir, readFile, rename, rm, symlink, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { ModelSpec } from '@gruvision/math';
import { describe, expect, it } from 'vitest';
import { randomWeights } from './__fixtures__/reference';
import { crashMetadata, crashSpec } from './__fixtures__/save-loop';
import { useTempFolder } from './__fixtures__/temp-folder';
import { encodeArtifacts } from './artifact';
import { readModelDirectory, writeModelDirectory } from './model-files';

const spec: ModelSpec = { timeSteps: 4, features: 3, classes: 2, layers: [{ cell: 'gru', units: 4 }] };
const metadata = {
  classNames: ['no', 'yes'],
  input: { height: 4, width: 3, channels: 1 },
  view: { mode: 'rows' as const },
  preprocess: 'none' as const,
  spec,
  seed: 1,
};

const root = useTempFolder('model-files');

async function savedModel(name: string, seed = 1): Promise<string> {
  const dir = join(root(), name);
  await writeModelDirectory(dir, encodeArtifacts(metadata, randomWeights(spec, seed)));
  return dir;
}

describe('writeModelDirectory / readModelDirectory', () => {
  it('writes model.json and weights.bin and reads them back, replacing an older save', async () => {
    const dir = await savedModel('roundtrip', 1);
    await writeModelDirectory(dir, encodeArtifacts(metadata, randomWeights(spec, 2)));
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    expect((await readdir(root())).filter((n) => n.startsWith('.roundtrip'))).toEqual([]);
    const { weights, metadata: m } = await readModelDirectory(dir);
    expect(m.classNames).toEqual(['no', 'yes']);
    expect(Array.from(weights[0]!.values)).toEqual(Array.from(randomWeights(spec, 2)[0]!.values));
  });

  it('refuses to overwrite a directory that is not a model', async () => {
    const dir = join(root(), 'not-a-model');
    await mkdir(dir);
    await writeFile(join(dir, 'thesis.tex'), 'precious');
    await expect(writeModelDirectory(dir, encodeArtifacts(metadata, randomWeights(spec, 1)))).rejects.toThrow(
      `${dir}: exists and is not a gruvision model directory. Choose an empty or new directory; nothing was overwritten.`,
    );
    expect(await readFile(join(dir, 'thesis.tex'), 'utf8')).toBe('precious');
  });

  it('reports a missing directory and a missing model.json', async () => {
    await expect(readModelDirectory(join(root(), 'nowhere'))).rejects.toThrow(
      `${join(root(), 'nowhere')}: no model directory there. Check the path, or train and save a model first.`,
    );
    const dir = await savedModel('no-json');
    await rm(join(dir, 'model.json'));
    await expect(readModelDirectory(dir)).rejects.toThrow(
      `${join(dir, 'model.json')}: not found. The model directory is incomplete; save the model again or restore the whole directory.`,
    );
  });

  it('reports bad JSON and missing metadata naming the file', async () => {
    const dir = await savedModel('bad-json');
    await writeFile(join(dir, 'model.json'), '{"format": "layers-model",');
    await expect(readModelDirectory(dir)).rejects.toThrow(`${join(dir, 'model.json')}: is not valid JSON`);
    const json = JSON.parse(JSON.stringify(encodeArtifacts(metadata, randomWeights(spec, 1)).modelJson));
    delete json.userDefinedMetadata.gruvision;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(readModelDirectory(dir)).rejects.toThrow(
      `${join(dir, 'model.json')}: has no userDefinedMetadata.gruvision (class names, view, spec).`,
    );
  });

  it('refuses manifest paths and symlinks that leave the directory', async () => {
    const dir = await savedModel('traversal');
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].paths = ['../outside.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(readModelDirectory(dir)).rejects.toThrow(
      'weight path "../outside.bin" leaves the model directory. Weight files must sit inside the model directory',
    );
    const secret = join(root(), 'secret.bin');
    await writeFile(secret, new Uint8Array(10));
    json.weightsManifest[0].paths = ['link.bin'];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await symlink(secret, join(dir, 'link.bin'));
    await expect(readModelDirectory(dir)).rejects.toThrow(
      `${join(dir, 'link.bin')}: resolves outside the model directory`,
    );
  });

  it('confines model.json itself: no link out, no FIFO, no echo of the contents', async () => {
    const dir = await savedModel('json-escape');
    const secret = join(root(), 'passwd');
    await writeFile(secret, 'root:x:0:0:root:/root:/bin/bash\n');
    await unlink(join(dir, 'model.json'));
    await symlink(secret, join(dir, 'model.json'));
    const out = (await readModelDirectory(dir).catch((e: unknown) => e)) as Error;
    expect(out.message).toContain(`${join(dir, 'model.json')}: resolves outside the model directory`);
    expect(out.message).not.toContain('root:x');
    await unlink(join(dir, 'model.json'));
    await writeFile(join(dir, 'model.json'), 'root:x:0:0:root:/root:/bin/bash\n');
    const bad = (await readModelDirectory(dir).catch((e: unknown) => e)) as Error;
    expect(bad.message).toMatch(/model\.json: is not valid JSON.*Save the model again/);
    expect(bad.message).not.toContain('root:x');
    await unlink(join(dir, 'model.json'));
    execFileSync('mkfifo', [join(dir, 'model.json')]);
    await expect(readModelDirectory(dir)).rejects.toThrow(
      `${join(dir, 'model.json')}: is a FIFO, not a regular file.`,
    );
  }, 10_000);

  it('checks the weight file size against the manifest before reading it', async () => {
    const dir = await savedModel('truncated');
    const bytes = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), bytes.subarray(0, bytes.length - 4));
    await expect(readModelDirectory(dir)).rejects.toThrow(
      `${join(dir, 'weights.bin')}: holds ${bytes.length - 4} bytes but model.json declares ${bytes.length}. The file is truncated`,
    );
  });

  it('refuses wrong shapes and huge declared sizes with the file named', async () => {
    const dir = await savedModel('shapes');
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    json.weightsManifest[0].weights[1].shape = [4, 13];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expect(readModelDirectory(dir)).rejects.toThrow(
      `${join(dir, 'model.json')}: weight gru/recurrent_kernel has shape [4,13] but the spec needs [4, 12].`,
    );
    await expect(readModelDirectory(dir, { maxModelJsonBytes: 100 })).rejects.toThrow(
      /model\.json: is \d+ bytes, more than the 100 allowed\./,
    );
    await writeModelDirectory(dir, encodeArtifacts(metadata, randomWeights(spec, 1)));
    await expect(readModelDirectory(dir, { maxWeightBytes: 64 })).rejects.toThrow(
      'weights (bytes) is 424, more than the 64 allowed (limit maxWeightBytes).',
    );
  });

  it('restores the previous model when a save died between its two renames', async () => {
    const dir = await savedModel('half-swapped', 3);
    await rename(dir, join(root(), '.half-swapped.old-123-abcd'));
    await mkdir(join(root(), '.half-swapped.tmp-123-abcd'));
    const { weights } = await readModelDirectory(dir);
    expect(Array.from(weights[0]!.values)).toEqual(Array.from(randomWeights(spec, 3)[0]!.values));
    await writeModelDirectory(dir, encodeArtifacts(metadata, randomWeights(spec, 4)));
    expect((await readdir(root())).filter((n) => n.startsWith('.half-swapped'))).toEqual([]);
  });

  it('a save killed at any moment leaves a directory that loads', async () => {
    const child = fileURLToPath(new URL('./__fixtures__/save-loop.ts', import.meta.url));
    const expected = [1, 2].map((s) => Array.from(randomWeights(crashSpec, s)[0]!.values));
    for (let round = 0; round < 4; round++) {
      const dir = join(root(), `crash-${round}`);
      const proc = spawn(
        process.execPath,
        ['--import', 'tsx', '--conditions=@gruvision/source', child, dir],
        {
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
      // Kill after the child reports save number round + 1, a few event-loop turns later, so the
      // kill lands at a different point of the save that follows in each round.
      const exited = new Promise((r) => proc.once('exit', r));
      await afterSaves(proc, round + 1);
      await turns(3 * round);
      proc.kill('SIGKILL');
      await exited;
      const { weights, metadata: m } = await readModelDirectory(dir);
      expect(m.classNames).toEqual(crashMetadata.classNames);
      expect(expected).toContainEqual(Array.from(weights[0]!.values));
    }
  });
});

/** Resolves when the save-loop child has printed `saved <count>`. */
function afterSaves(proc: ChildProcessByStdio<null, Readable, null>, count: number): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString();
      if (text.split('\n').slice(0, -1).includes(`saved ${count}`)) {
        proc.stdout.off('data', onData);
        resolve();
      }
    };
    proc.stdout.on('data', onData);
  });
}

/** Resolves after `count` turns of the event loop. */
async function turns(count: number): Promise<void> {
  for (let i = 0; i < count; i++) await new Promise((r) => setImmediate(r));
}
