import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { writeIdxImages, writeIdxLabels } from '@gruvision/data';
import { encode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { expectUsageError, ndjson, tempDir } from './fixtures';
import { runCli } from './run-cli';

const cwd = tempDir('datasets-augment');
const quick = ['--units', '4', '--epochs', '1', '--batch-size', '8', '--validation', '0'];

/** `count` 8×8 images: a bright bar in row (label mod 8) of each. */
function bars(labels: readonly number[]) {
  const pixels = new Uint8Array(labels.length * 64);
  for (const [i, label] of labels.entries())
    pixels.fill(200, i * 64 + (label % 8) * 8, i * 64 + (label % 8) * 8 + 8);
  return { count: labels.length, height: 8, width: 8, channels: 1, pixels };
}

describe('gruvision train --dataset fashion-mnist:<dir>', () => {
  it("reads Zalando's IDX files as the official split and says so", async () => {
    const dir = join(cwd, 'fashion');
    mkdirSync(dir);
    const trainLabels = Array.from({ length: 40 }, (_, i) => i % 10);
    const testLabels = Array.from({ length: 20 }, (_, i) => (i * 3) % 10);
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(writeIdxImages(bars(trainLabels))));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(writeIdxLabels(trainLabels)));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(writeIdxImages(bars(testLabels))));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(writeIdxLabels(testLabels)));
    const out = join(cwd, 'fashion-model');
    const result = await runCli(
      [
        'train',
        '--dataset',
        `fashion-mnist:${dir}`,
        ...quick,
        '--augment',
        'rotate=10,noise=0.05',
        '--out',
        out,
        '--json',
      ],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(ndjson(result.stdout).at(-1)).toMatchObject({
      type: 'result',
      split: 'official',
      splitNote: 'official test set',
      testCount: 20,
    });
    expect(result.stderr).toContain('test set: official test set');
    const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.gruvision;
    expect(meta.classNames).toEqual(expect.arrayContaining(['T-shirt/top', 'Ankle boot']));
    const settings = JSON.parse(readFileSync(join(out, 'train-settings.json'), 'utf8'));
    expect(settings.training.augment).toEqual({ rotate: 10, noise: 0.05 });
  });

  it('--augment with a value out of range is a usage error naming it', async () => {
    expectUsageError(
      await runCli(['train', '--augment', 'cutout=-3'], { cwd }),
      'cutout -3 must be a whole number of pixels ≥ 0, e.g. cutout=8.',
    );
  });
});

describe('gruvision train --skip-invalid', () => {
  it('a stray text file stops a folder dataset with a hint; --skip-invalid lists it and trains', async () => {
    const dir = join(cwd, 'folder');
    for (const [cls, value] of [
      ['dark', 30],
      ['light', 220],
    ] as const) {
      for (const split of ['train', 'test']) {
        mkdirSync(join(dir, split, cls), { recursive: true });
        for (let i = 0; i < 4; i++) {
          const data = new Uint8Array(64).fill(value + i);
          writeFileSync(
            join(dir, split, cls, `${i}.png`),
            encode({ width: 8, height: 8, data, channels: 1, depth: 8 }),
          );
        }
      }
    }
    const notes = join(dir, 'train', 'dark', 'notes.txt');
    writeFileSync(notes, 'collected on Tuesday');
    const out = join(cwd, 'folder-model');
    const failed = await runCli(['train', '--dataset', `folder:${dir}`, ...quick, '--out', out], { cwd });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toContain(notes);
    expect(failed.stderr).toContain('pass --skip-invalid to skip such files');
    const result = await runCli(
      ['train', '--dataset', `folder:${dir}`, ...quick, '--skip-invalid', '--out', out, '--json'],
      { cwd },
    );
    expect(result.code).toBe(0);
    expect(result.stderr).toContain(`skipped ${notes}: `);
    const doc = ndjson(result.stdout).at(-1) as { skipped: { file: string }[]; split: string };
    expect(doc.skipped.map((s) => s.file)).toEqual([notes]);
    expect(doc.split).toBe('test-folder');
  });
});
