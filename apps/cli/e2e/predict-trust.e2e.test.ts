import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode } from 'fast-png';
import { beforeAll, describe, expect, it } from 'vitest';
import { writeDigitPngs } from './fixtures';
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
