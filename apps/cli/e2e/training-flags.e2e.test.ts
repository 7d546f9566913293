import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { expectUsageError, ndjson, tempDir } from './fixtures';
import { runCli } from './run-cli';

// One tiny model trained with every training flag, then its saved spec, settings and `inspect`.
const cwd = tempDir('training-flags');
const modelDir = join(cwd, 'flags');
// biome-ignore format: one command line reads best on one line
const tiny = ['--limit', '200', '--test-limit', '100', '--units', '8', '--epochs', '2', '--batch-size', '32'];
// biome-ignore format: one command line reads best on one line
const flags = ['--recurrent-dropout', '0.1', '--head-dropout', '0.2', '--l1', '1e-5', '--l2', '1e-4', '--label-smoothing', '0.1', '--patience', '2', '--recurrent-activation', 'hardSigmoid', '--go-backwards', '--permutation-seed', '7', '--class-weight', '0=2,1=0.5'];
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
      classWeight: { '0': 2, '1': 0.5 },
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
    expectUsageError(
      await runCli(['train', ...tiny, '--l1', '-1', '--out', join(cwd, 'bad')], { cwd }),
      '--l1',
    );
    expectUsageError(
      await runCli(
        [
          'train',
          ...tiny,
          '--cell',
          'rnn',
          '--recurrent-activation',
          'hardSigmoid',
          '--out',
          join(cwd, 'bad'),
        ],
        { cwd },
      ),
      '--recurrent-activation only applies to --cell gru or lstm',
    );
    const unknownClass = await runCli(
      ['train', ...tiny, '--class-weight', 'ten=2', '--out', join(cwd, 'bad')],
      { cwd },
    );
    expect(unknownClass.code).toBe(1);
    expect(unknownClass.stderr).toContain('classWeight names the class "ten", which the model does not have');
    expectUsageError(
      await runCli(['train', '--resume', `${modelDir}.checkpoints`, '--l2', '0.1'], { cwd }),
      '--l2 cannot be given with --resume',
    );
  });
});

describe('--l1 and --class-weight reach both engines', () => {
  /** Σ |w| of a saved model's weights.bin (float32). */
  const absSum = (dir: string): number => {
    const bytes = readFileSync(join(dir, 'weights.bin'));
    const w = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    return w.reduce((a, v) => a + Math.abs(v), 0);
  };
  for (const engine of ['math', 'tfjs-cpu']) {
    it(`${engine}: --l1 shrinks the weights, --class-weight changes them`, async () => {
      const one = ['--epochs', '1', '--lr', '0.01', '--engine', engine, '--threads', '1'];
      const runs: Record<string, string> = {};
      for (const [name, extra] of [
        ['plain', []],
        ['l1', ['--l1', '0.01']],
        ['weighted', ['--class-weight', 'balanced']],
      ] as const) {
        runs[name] = join(cwd, `${engine}-${name}`);
        const run = await runCli(['train', ...tiny, ...one, ...extra, '--out', runs[name]!], { cwd });
        expect(run.code, run.stderr).toBe(0);
      }
      expect(absSum(runs.l1!)).toBeLessThan(0.9 * absSum(runs.plain!));
      expect(readFileSync(join(runs.weighted!, 'weights.bin'))).not.toEqual(
        readFileSync(join(runs.plain!, 'weights.bin')),
      );
    }, 240_000);
  }
});
