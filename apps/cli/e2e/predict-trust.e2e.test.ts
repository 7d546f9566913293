import { mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { stratifiedSplit } from '@gruvision/data';
import { mnist } from '@gruvision/data/node';
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, writeDigitPngs } from './fixtures';
import { repoSubfolder, runPnpm } from './run-pnpm';

// Predictions a user can trust, through `pnpm gruvision` from a sub-folder of the clone.
const cwd = repoSubfolder('predict-trust');

interface Row {
  file: string;
  className?: string;
  warnings?: string[];
  error?: string;
}

beforeAll(async () => {
  const train = await runPnpm(
    [
      'gruvision',
      'train',
      '--limit',
      '600',
      '--test-limit',
      '50',
      '--units',
      '16',
      '--epochs',
      '1',
      '--out',
      'digits',
    ],
    cwd,
  );
  expect(train.code).toBe(0);
  await writeDigitPngs(cwd, [0]);
  const W = 60;
  writeFileSync(
    join(cwd, 'blank.png'),
    encode({ width: W, height: W, data: new Uint8Array(W * W).fill(255), channels: 1, depth: 8 }),
  );
}, 180_000);

describe('gruvision predict', () => {
  it('reports each file: a result, a warning for a picture with no ink, an error for a missing file', async () => {
    const result = await runPnpm(
      ['gruvision', 'predict', 'digits', 'digit-0.png', 'blank.png', 'missing.png', '--json'],
      cwd,
    );
    expect(result.code).toBe(1);
    const rows = JSON.parse(result.stdout) as Row[];
    expect(rows.map((r) => r.file)).toEqual(['digit-0.png', 'blank.png', 'missing.png']);
    expect(rows[0]!.className).toMatch(/^\d$/);
    expect(rows[0]!.warnings).toEqual([]);
    expect(rows[1]!.warnings?.[0]).toContain('no ink');
    expect(rows[2]!.error).toContain('missing.png');
    expect(rows[2]!.className).toBeUndefined();
    expect(result.stderr).toContain('blank.png: warning: the picture has no ink');
  });

  it('offers --invert auto|yes|no and warns when the choice leaves the picture unlike the training data', async () => {
    const result = await runPnpm(['gruvision', 'predict', 'digits', 'digit-0.png', '--invert', 'no'], cwd);
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(
      /digit-0\.png: warning: the picture (has no ink|is unlike the training pictures)/,
    );
    const help = await runPnpm(['gruvision', 'predict', '--help'], cwd);
    expect(help.stdout).toContain('--invert <mode>');
    expect(help.stdout).toContain('digit models (trained on mnist or idx:<dir>) apply MNIST-style centring');
    expect(help.stdout).not.toContain('dark-on-light or light-on-dark');
  });
});

describe('gruvision eval', () => {
  it("refuses a dataset whose classes are not the model's", async () => {
    const result = await runPnpm(
      ['gruvision', 'eval', 'digits', '--dataset', 'fashion-mnist', '--test-limit', '50'],
      cwd,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('fashion-mnist does not have the classes digits was trained on');
    expect(result.stderr).toContain('T-shirt/top');
    expect(result.stdout).toBe('');
  });
});

describe('gruvision eval of a folder of pictures', () => {
  // 30 MNIST test digits as 84×84 dark-on-light PNGs (the model reads 28×28 light-on-dark), three per
  // class, one sub-folder per class: the pictures a user photographs and sorts by hand.
  const pictures = async (): Promise<{ file: string; label: number }[]> => {
    const { test } = await mnist();
    const files: { file: string; label: number }[] = [];
    for (let label = 0; label < 10; label++) {
      const indices: number[] = [];
      for (let i = 0; indices.length < 3; i++) if (test.labels[i] === label) indices.push(i);
      mkdirSync(join(cwd, 'my-digits', String(label)), { recursive: true });
      files.push(...(await writeDigitPngs(join(cwd, 'my-digits', String(label)), indices)));
    }
    return files;
  };

  it('reads pictures of another size as predict does; --all evaluates every one and agrees with predict', async () => {
    const files = await pictures();
    const all = await runPnpm(
      ['gruvision', 'eval', 'digits', '--dataset', 'folder:my-digits', '--all', '--json'],
      cwd,
    );
    expect(all.stderr).toContain('all 30 pictures');
    expect(all.code).toBe(0);
    const evaluated = JSON.parse(all.stdout) as { count: number; accuracy: number; confusion: number[][] };
    expect(evaluated.count).toBe(30);
    expect(evaluated.confusion.map((row) => row.reduce((a, b) => a + b, 0))).toEqual(Array(10).fill(3));
    // The peer: predict on the same files, one by one.
    const predicted = await runPnpm(
      [
        'gruvision',
        'predict',
        'digits',
        ...files.map((f) => relative(cwd, f.file)),
        '--top-k',
        '1',
        '--json',
      ],
      cwd,
    );
    expect(predicted.code).toBe(0);
    const rows = JSON.parse(predicted.stdout) as Row[];
    const correct = rows.filter((r, i) => r.className === String(files[i]!.label)).length;
    expect(evaluated.accuracy).toBeCloseTo(correct / 30, 12);
  }, 120_000);

  it('without --all reads the 20 % that train holds out of a folder without train/ and test/', async () => {
    await pictures();
    const result = await runPnpm(
      ['gruvision', 'eval', 'digits', '--dataset', 'folder:my-digits', '--json'],
      cwd,
    );
    expect(result.code).toBe(0);
    // The reference: the library's split of 30 pictures, 3 per class, with train's seed 0.
    const labels = Int32Array.from({ length: 30 }, (_, i) => Math.floor(i / 3));
    const heldOut = stratifiedSplit(
      {
        count: 30,
        height: 1,
        width: 1,
        channels: 1,
        pixels: new Uint8Array(30),
        labels,
        classNames: [...'0123456789'],
      },
      { fraction: 0.2, seed: 0 },
    ).validation.count;
    expect(JSON.parse(result.stdout).count).toBe(heldOut);
    expect(result.stderr).toContain(`the test split: ${heldOut} of 30 pictures (--all: every picture)`);
    expectUsageError(
      await runPnpm(['gruvision', 'eval', 'digits', '--dataset', 'mnist', '--all'], cwd),
      '--all evaluates every picture of an image folder; mnist is not one',
    );
  }, 120_000);
});
