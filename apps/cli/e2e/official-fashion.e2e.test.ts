import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ndjson, tempDir } from './fixtures';
import { runCli } from './run-cli';

// Zalando's official Fashion-MNIST files as Debian's package dataset-fashion-mnist installs them (.ci/run
// installs it; elsewhere: apt install dataset-fashion-mnist), read through the path users are told to type.
const OFFICIAL = 'fashion-mnist:/usr/share/datasets/fashion-mnist';
const cwd = tempDir('official-fashion');

describe(`gruvision train --dataset ${OFFICIAL}`, () => {
  it('trains on the 60 000 official training images, tests on the 10 000 official test images (1 000 per class), says official', async () => {
    const out = join(cwd, 'model');
    const trained = await runCli(
      [
        'train',
        '--dataset',
        OFFICIAL,
        ...['--units', '4', '--epochs', '1', '--validation', '0', '--batch-size', '256', '--threads', '1'],
        '--out',
        out,
        '--json',
      ],
      { cwd },
    );
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toContain(
      `dataset ${OFFICIAL}: 60 000 training and 10 000 test images, 28×28×1, 10 classes`,
    );
    expect(trained.stderr).toContain('on 60000 images, 0 for validation');
    expect(ndjson(trained.stdout).at(-1)).toMatchObject({
      type: 'result',
      dataset: OFFICIAL,
      split: 'official',
      splitNote: 'official test set',
      testCount: 10_000,
    });
    // eval reads the dataset from the model's train-settings.json: the official test set again.
    const evaluated = await runCli(['eval', out, '--json'], { cwd });
    expect(evaluated.code, evaluated.stderr).toBe(0);
    const doc = JSON.parse(evaluated.stdout) as { split: string; count: number; confusion: number[][] };
    expect([doc.split, doc.count]).toEqual(['official', 10_000]);
    expect(doc.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(new Array(10).fill(1000));
  });
});

describe('gruvision train --dataset fashion-mnist (the embedded, seeded split)', () => {
  it('names the way to the official split in its one-line test-set note', async () => {
    const tiny = ['--limit', '100', '--test-limit', '50', '--units', '4', '--epochs', '1'];
    const out = join(cwd, 'embedded');
    const result = await runCli(['train', '--dataset', 'fashion-mnist', ...tiny, '--out', out, '--json'], {
      cwd,
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(
      'test set: not the official split: a seeded, stratified 10 000-image test set drawn from the fashion-mnist ' +
        "package's 70 000 images (seed 0); for the official split: apt install dataset-fashion-mnist, then " +
        'fashion-mnist:/usr/share/datasets/fashion-mnist',
    );
    expect(ndjson(result.stdout).at(-1)).toMatchObject({ split: 'seeded' });
  });
});
