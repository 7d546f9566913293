import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ndjson, tempDir } from './fixtures';
import { runCli } from './run-cli';

// One tiny model trained with every training flag, then its saved spec, settings and `inspect`.
const cwd = tempDir('training-flags');
const modelDir = join(cwd, 'flags');
// biome-ignore format: one command line reads best on one line
const tiny = ['--limit', '200', '--test-limit', '100', '--units', '8', '--epochs', '2', '--batch-size', '32'];
// biome-ignore format: one command line reads best on one line
const flags = ['--recurrent-dropout', '0.1', '--head-dropout', '0.2', '--l1', '1e-5', '--l2', '1e-4', '--label-smoothing', '0.1', '--patience', '2', '--recurrent-activation', 'hardSigmoid', '--go-backwards', '--permutation-seed', '7'];
let result: Record<string, unknown> = {};

beforeAll(async () => {
  const run = await runCli(['train', ...tiny, ...flags, '--out', modelDir, '--json'], { cwd });
  expect(run.stderr).not.toMatch(/\n\s+at /);
  expect(run.code).toBe(0);
  result = ndjson(run.stdout).at(-1)!;
}, 180_000);

describe('gruvision train: training flags', () => {
  it('reach the saved model: spec, view and the run settings', () => {
    expect(result.type).toBe('result');
    const meta = JSON.parse(readFileSync(join(modelDir, 'model.json'), 'utf8')).userDefinedMetadata.gruvision;
    expect(meta.spec.headDropout).toBe(0.2);
    expect(meta.spec.layers[0]).toMatchObject({
      recurrentDropout: 0.1,
      recurrentActivation: 'hardSigmoid',
      goBackwards: true,
    });
    expect(meta.view.permutationSeed).toBe(7);
    const settings = JSON.parse(readFileSync(join(modelDir, 'train-settings.json'), 'utf8'));
    expect(settings.training).toEqual({
      recurrentDropout: 0.1,
      headDropout: 0.2,
      l1: 1e-5,
      l2: 1e-4,
      labelSmoothing: 0.1,
      patience: 2,
      recurrentActivation: 'hardSigmoid',
      goBackwards: true,
      permutationSeed: 7,
    });
  });

  it('inspect shows them', async () => {
    const run = await runCli(['inspect', modelDir], { cwd });
    expect(run.code).toBe(0);
    expect(run.stdout).toContain('steps permuted (seed 7)');
    expect(run.stdout).toMatch(
      /layer +gru: gru 8 units \(resetAfter false, hardSigmoid, goBackwards, recurrentDropout 0\.1\)/,
    );
    expect(run.stdout).toContain('headDropout 0.2');
  });

  it('refuses bad values and flags that do not apply, as usage errors', async () => {
    const negative = await runCli(['train', ...tiny, '--l1', '-1', '--out', join(cwd, 'bad')], { cwd });
    expect(negative.code).toBe(2);
    expect(negative.stderr).toContain('--l1');
    const rnn = await runCli(
      ['train', ...tiny, '--cell', 'rnn', '--recurrent-activation', 'hardSigmoid', '--out', join(cwd, 'bad')],
      { cwd },
    );
    expect(rnn.code).toBe(2);
    expect(rnn.stderr).toContain('--recurrent-activation only applies to --cell gru or lstm');
    const resume = await runCli(['train', '--resume', `${modelDir}.checkpoints`, '--l2', '0.1'], { cwd });
    expect(resume.code).toBe(2);
    expect(resume.stderr).toContain('--l2 cannot be given with --resume');
  });
});
