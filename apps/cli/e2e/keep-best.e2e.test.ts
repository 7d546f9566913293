import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { expectUsageError, ndjson, tempDir } from './fixtures';
import { runCli } from './run-cli';

const cwd = tempDir('keep-best');
// biome-ignore format: one command line reads best on one line
const tiny = ['--limit', '300', '--test-limit', '100', '--units', '8', '--batch-size', '32', '--lr', '0.01', '--validation', '0.2', '--schedule', 'constant'];

interface Epoch {
  epoch: number;
  valLoss: number;
  valAccuracy: number;
}

/** The first epoch (from 1) with the highest validation accuracy: the record keep-best ends on. */
const bestByAccuracy = (history: Epoch[]): number =>
  history.reduce((best, e) => (e.valAccuracy > history[best - 1]!.valAccuracy ? e.epoch : best), 1);

describe('gruvision train --keep-best', () => {
  it('saves and tests the best validation epoch, apart from the checkpoints, and keeps it across --resume', async () => {
    const out = join(cwd, 'best');
    const first = await runCli(
      ['train', ...tiny, '--epochs', '2', '--keep-best', 'val_accuracy', '--out', out, '--json'],
      { cwd },
    );
    expect(first.code, first.stderr).toBe(0);
    const resumed = await runCli(['train', '--resume', `${out}.checkpoints`, '--epochs', '5', '--json'], {
      cwd,
    });
    expect(resumed.code, resumed.stderr).toBe(0);
    const result = ndjson(resumed.stdout).at(-1)! as {
      history: Epoch[];
      keptBest: { epoch: number; monitor: string; value: number };
      testAccuracy: number;
    };
    expect(result.history).toHaveLength(5);
    const epoch = bestByAccuracy(result.history);
    expect(result.keptBest).toEqual({
      epoch,
      monitor: 'valAccuracy',
      value: result.history[epoch - 1]!.valAccuracy,
    });
    expect(resumed.stderr).toContain(`kept epoch ${epoch} of 5, the best by validation accuracy`);
    // The model saved to --out is the best epoch's, the one kept beside the checkpoints.
    expect(readFileSync(join(out, 'weights.bin'))).toEqual(
      readFileSync(join(`${out}.checkpoints`, 'best', 'weights.bin')),
    );
    const meta = JSON.parse(readFileSync(join(out, 'model.json'), 'utf8')).userDefinedMetadata.gruvision;
    expect(meta.training.bestEpoch).toBe(epoch);
    expect(meta.training.valAccuracy).toBe(result.history[epoch - 1]!.valAccuracy);
    const settings = JSON.parse(readFileSync(join(out, 'train-settings.json'), 'utf8'));
    expect(settings.training.keepBest).toBe('valAccuracy');
    const evaluated = await runCli(['eval', out, '--test-limit', '100', '--json'], { cwd });
    expect(evaluated.code, evaluated.stderr).toBe(0);
    expect(JSON.parse(evaluated.stdout).accuracy).toBe(result.testAccuracy);
  }, 300_000);

  it('with --early-stopping watches the same metric, and needs a validation share', async () => {
    const out = join(cwd, 'early');
    const run = await runCli(
      [
        'train',
        ...tiny,
        '--epochs',
        '4',
        '--keep-best',
        '--early-stopping',
        '--patience',
        '1',
        '--out',
        out,
        '--json',
      ],
      { cwd },
    );
    expect(run.code, run.stderr).toBe(0);
    const result = ndjson(run.stdout).at(-1)! as {
      history: Epoch[];
      keptBest: { epoch: number; monitor: string };
    };
    const losses = result.history.map((e) => e.valLoss);
    expect(result.keptBest.monitor).toBe('valLoss');
    expect(result.keptBest.epoch).toBe(losses.indexOf(Math.min(...losses)) + 1);
    expectUsageError(
      await runCli(['train', ...tiny, '--validation', '0', '--keep-best', '--out', join(cwd, 'x')], {
        cwd,
      }),
      '--keep-best chooses the best epoch on the validation share',
    );
    expectUsageError(
      await runCli(['train', ...tiny, '--keep-best', 'accuracy', '--out', join(cwd, 'x')], { cwd }),
      'expected val_loss or val_accuracy, got "accuracy"',
    );
  }, 300_000);

  it('--preset best: the resolved settings are in --json and train-settings.json, explicit flags win', async () => {
    const out = join(cwd, 'preset');
    // biome-ignore format: one command line reads best on one line
    const run = await runCli(['train', '--preset', 'best', '--limit', '300', '--test-limit', '100', '--epochs', '1', '--units', '8', '--out', out, '--json'], { cwd });
    expect(run.code, run.stderr).toBe(0);
    expect(run.stderr).toContain('--preset best sets --batch-size, --lr, --optimizer');
    const result = ndjson(run.stdout).at(-1)! as { settings: Record<string, unknown>; keptBest: unknown };
    const saved = JSON.parse(readFileSync(join(out, 'train-settings.json'), 'utf8'));
    for (const settings of [result.settings, saved]) {
      expect(settings).toMatchObject({
        preset: 'best',
        units: 8,
        epochs: 1,
        batchSize: 128,
        optimizer: 'adamw',
        training: {
          labelSmoothing: 0.1,
          headDropout: 0.2,
          keepBest: 'valAccuracy',
          augment: { maxShift: 2, rotate: 10, scale: 0.1 },
        },
      });
    }
    expect(result.keptBest).toMatchObject({ epoch: 1, monitor: 'valAccuracy' });
  }, 300_000);
});
