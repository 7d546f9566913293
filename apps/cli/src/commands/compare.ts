import { UsageError } from '../errors';
import { choice, list, positiveInt } from '../options';
import type { RegisterCommand } from '../program';
import { formatCount, formatDuration, formatPercent, formatTable } from '../ui/format';
import { Output } from '../ui/io';
import { addExperimentOptions, type ExperimentResult, runExperiments } from './experiment';
import { CLI_CELLS, type CliCell } from './shared';

export const registerCompare: RegisterCommand = (program, context) => {
  const command = program
    .command('compare')
    .description(
      'GRU, LSTM, plain RNN, minGRU or minLSTM? Train each cell on the same data with the same budget and compare',
    )
    .option(
      '--cells <list>',
      'cells to compare, comma-separated: gru,lstm,rnn,mingru,minlstm',
      list(choice(CLI_CELLS)),
      ['gru', 'lstm', 'rnn', 'mingru', 'minlstm'],
    )
    .option('--units <n>', 'hidden units of every cell', positiveInt, 64);
  addExperimentOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision compare                                      # all five cells with 64 units on 10 000 MNIST images
  $ gruvision compare --cells gru,lstm --dataset folder:./photos --units 128 --epochs 5 --json`,
  );
  command.action(async (raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const cells = [...new Set(raw.cells as CliCell[])];
    if (cells.length === 0)
      throw new UsageError('--cells needs at least one of gru, lstm, rnn, mingru, minlstm.');
    const { results, budget, train, test } = await runExperiments(
      raw,
      cells.map((cell) => ({ cell, units: raw.units as number })),
      output,
    );
    output.result(results, true);
    output.line(
      `${train.count} training / ${test.count} test images of ${raw.dataset}, ${budget.epochs} epochs each, engine ${budget.engine}`,
    );
    output.line(resultsTable(results));
  });
};

export function resultsTable(results: readonly ExperimentResult[]): string {
  return formatTable(results, [
    { header: 'model', value: (r) => `${r.cell.toUpperCase()}-${r.units}`, align: 'left' },
    { header: 'parameters', value: (r) => formatCount(r.parameters) },
    { header: 'test accuracy', value: (r) => formatPercent(r.testAccuracy) },
    { header: 'test loss', value: (r) => r.testLoss.toFixed(4) },
    { header: 'time/epoch', value: (r) => formatDuration(r.secondsPerEpoch) },
    { header: 'samples/s', value: (r) => formatCount(r.samplesPerSecond) },
  ]);
}
