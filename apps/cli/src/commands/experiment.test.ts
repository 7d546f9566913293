import { GruClassifier } from '@gruvision/classifier';
import { describe, expect, it } from 'vitest';
import { equalParameterConfigs } from './compare';
import { cellParameterCount, formatStats, seedStats, unitsForParameters } from './experiment';
import { CLI_CELLS, toCellType } from './shared';
import { sweepChartSvg } from './sweep';

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
