import { GruClassifier } from '@gruvision/classifier';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../__fixtures__/memory-io';
import { createProgram } from '../program';
import { equalParameterConfigs, registerCompare } from './compare';
import { budgetFrom, cellParameterCount, formatStats, seedStats, unitsForParameters } from './experiment';
import { CLI_CELLS, toCellType } from './shared';
import { registerSweep, sweepChartSvg } from './sweep';
import { registerTrain } from './train';
import { fitOptionsFrom } from './train-settings';

const mnistRows = { inputSize: 28, layers: 1, classes: 10 };

describe('parameter counts from the cell formulas', () => {
  it('match the hand formulas g·(I·H + R·H² + H) + H·C + C', () => {
    // GRU-64 on MNIST rows: 3·(28·64 + 64² + 64) + 64·10 + 10.
    expect(cellParameterCount('gru', 64, mnistRows)).toBe(3 * (1792 + 4096 + 64) + 650);
    expect(cellParameterCount('lstm', 64, mnistRows)).toBe(4 * (1792 + 4096 + 64) + 650);
    expect(cellParameterCount('rnn', 64, mnistRows)).toBe(1792 + 4096 + 64 + 650);
    // minGRU / minLSTM have no recurrent kernel.
    expect(cellParameterCount('mingru', 64, mnistRows)).toBe(2 * (1792 + 64) + 650);
    expect(cellParameterCount('minlstm', 64, mnistRows)).toBe(3 * (1792 + 64) + 650);
    // A second layer reads H features.
    expect(cellParameterCount('gru', 8, { ...mnistRows, layers: 2 })).toBe(
      3 * (28 * 8 + 64 + 8) + 3 * (8 * 8 + 64 + 8) + 90,
    );
  });

  it('agree with the models the library builds', async () => {
    for (const cell of CLI_CELLS) {
      for (const [units, layers] of [
        [5, 1],
        [7, 2],
      ] as const) {
        const model = await GruClassifier.create({
          classNames: ['a', 'b', 'c'],
          height: 6,
          width: 4,
          channels: 3,
          cell: toCellType(cell),
          units,
          layers,
        });
        expect(cellParameterCount(cell, units, { inputSize: 12, layers, classes: 3 })).toBe(
          model.parameterCount,
        );
        model.dispose();
      }
    }
  });

  it('--equal-params picks the units whose count is closest to the first cell', () => {
    // LSTM-H: 4H² + 126H + 10 (1 468 at 9, 1 670 at 10); RNN-H: H² + 39H + 10 (1 522 at 24, 1 610 at 25).
    expect(equalParameterConfigs(['gru', 'lstm', 'rnn'], 12, mnistRows)).toEqual([
      { cell: 'gru', units: 12 },
      { cell: 'lstm', units: 10 },
      { cell: 'rnn', units: 25 },
    ]);
    expect(unitsForParameters('gru', 1, mnistRows)).toBe(1);
    for (const cell of CLI_CELLS) {
      const units = unitsForParameters(cell, 100_000, mnistRows);
      const here = Math.abs(cellParameterCount(cell, units, mnistRows) - 100_000);
      expect(here).toBeLessThanOrEqual(Math.abs(cellParameterCount(cell, units + 1, mnistRows) - 100_000));
      expect(here).toBeLessThanOrEqual(Math.abs(cellParameterCount(cell, units - 1, mnistRows) - 100_000));
    }
  });
});

describe('seed statistics', () => {
  it('are the mean and the sample standard deviation (n − 1)', () => {
    const stats = seedStats([0.9, 0.92, 0.94]);
    expect(stats.mean).toBeCloseTo(0.92, 12);
    expect(stats.std).toBeCloseTo(0.02, 12); // √((0.02² + 0 + 0.02²) / 2)
    expect(seedStats([0.5]).std).toBe(0);
    expect(formatStats(stats)).toBe('92.00% ± 2.00');
    expect(formatStats(seedStats([0.5]))).toBe('50.00%');
  });
});

describe('sweep chart', () => {
  it('plots validation accuracy (± 1 sd with several seeds) and names the pick with its test accuracy', () => {
    const row = (units: number, values: number[]) => ({
      cell: 'gru' as const,
      units,
      parameters: units * 10,
      valAccuracy: seedStats(values),
      valLoss: seedStats(values.map(() => 0.1)),
      epochs: 1,
      secondsPerEpoch: units / 8,
      samplesPerSecond: 100,
    });
    const svg = sweepChartSvg({
      selection: 'validation',
      results: [row(4, [0.8, 0.82]), row(8, [0.9, 0.94])],
      pick: {
        cell: 'gru',
        units: 8,
        parameters: 80,
        rule: 'highest mean validation accuracy (ties: the first listed)',
        testAccuracy: seedStats([0.91, 0.93]),
        testLoss: seedStats([0.2, 0.2]),
      },
      seeds: [0, 1],
      trainCount: 90,
      validationCount: 10,
      testCount: 50,
      split: 'official',
      splitNote: 'official test set',
      skipped: [],
    });
    expect(svg).toContain('Validation accuracy (pick 8: test 92.00% ± 1.41)');
    expect(svg).toContain('validation accuracy, mean of 2 seeds');
    expect(svg).toContain('+ 1 sd');
    expect(svg).not.toMatch(/test accuracy by/i);
  });
});

describe('compare and sweep take the training options of train', () => {
  const program = createProgram(memoryIo(), [registerTrain, registerCompare, registerSweep]);
  const command = (name: string) => program.commands.find((c) => c.name() === name)!;
  const flags = (name: string) => new Map(command(name).options.map((o) => [o.long!, o.description]));

  it('every optimization and training flag of train, with the same words (one definition)', () => {
    const train = flags('train');
    // biome-ignore format: a list of flags reads best on few lines
    const shared = ['--batch-size', '--lr', '--optimizer', '--schedule', '--dropout', '--clip-norm', '--recurrent-dropout', '--head-dropout', '--l1', '--l2', '--label-smoothing', '--early-stopping', '--patience', '--recurrent-activation', '--go-backwards', '--permutation-seed', '--augment', '--reduce-on-plateau', '--plateau-factor', '--class-weight', '--keep-best', '--skip-invalid'];
    for (const name of ['compare', 'sweep']) {
      const other = flags(name);
      for (const flag of shared) {
        expect(train.has(flag), `train ${flag}`).toBe(true);
        expect(other.get(flag), `${name} ${flag}`).toBe(train.get(flag));
      }
    }
  });

  it('reach fit for every configuration: --augment, --optimizer, --l2, --class-weight', () => {
    const compare = command('compare');
    compare.parseOptions([
      '--augment',
      'shift=1,rotate=5',
      '--optimizer',
      'adamw',
      '--l2',
      '0.001',
      '--class-weight',
      'balanced',
      '--schedule',
      'constant',
    ]);
    const options = fitOptionsFrom(budgetFrom(compare.opts()).fit);
    expect(options).toMatchObject({
      epochs: 2,
      batchSize: 64,
      optimizer: { type: 'adamw', learningRate: 2e-3 },
      learningRate: 2e-3,
      l2: 0.001,
      classWeight: 'balanced',
      augment: { maxShift: 1, rotate: 5 },
    });
    expect(options.schedule).toBeUndefined();
  });
});
