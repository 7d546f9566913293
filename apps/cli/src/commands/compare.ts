import { UsageError } from '../errors';
import { choice, list, positiveInt } from '../options';
import type { RegisterCommand } from '../program';
import { formatCount, formatDuration, formatTable } from '../ui/format';
import { Output } from '../ui/io';
import {
  addExperimentOptions,
  cellParameterCount,
  type ExperimentReport,
  type ExperimentResult,
  formatStats,
  type ModelShape,
  runExperiments,
  unitsForParameters,
} from './experiment';
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
    .option('--units <n>', 'hidden units of every cell', positiveInt, 64)
    .option(
      '--equal-params',
      "give each cell the units whose parameter count comes closest to the first cell's with --units",
    );
  addExperimentOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision compare                                      # all five cells with 64 units on 10 000 MNIST images
  $ gruvision compare --cells gru,lstm,rnn --equal-params --seeds 3
  $ gruvision compare --cells gru,lstm --dataset folder:./photos --units 128 --epochs 5 --json

Each cell is trained on the training images less a held-out --validation share and scored on that
share; the cell with the highest mean validation accuracy is the pick, and only the pick is tested.`,
  );
  command.action(async (raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const cells = [...new Set(raw.cells as CliCell[])];
    if (cells.length === 0)
      throw new UsageError('--cells needs at least one of gru, lstm, rnn, mingru, minlstm.');
    const units = raw.units as number;
    const { report, budget } = await runExperiments(
      raw,
      (shape) =>
        raw.equalParams ? equalParameterConfigs(cells, units, shape) : cells.map((cell) => ({ cell, units })),
      output,
    );
    output.result({ ...report, equalParams: Boolean(raw.equalParams) }, true);
    output.line(
      `${report.trainCount} training / ${report.validationCount} validation / ${report.testCount} test images of ${raw.dataset}, ` +
        `${budget.epochs} epochs each, ${report.seeds.length} seed${report.seeds.length > 1 ? 's' : ''}, engine ${budget.engine}`,
    );
    output.line(resultsTable(report.results));
    output.line(pickLine(report));
  });
};

/** Units per cell for `--equal-params`: the parameter count of the first cell with `units`, matched by each. */
export function equalParameterConfigs(
  cells: readonly CliCell[],
  units: number,
  shape: ModelShape,
): { cell: CliCell; units: number }[] {
  const target = cellParameterCount(cells[0]!, units, shape);
  return cells.map((cell, i) => ({ cell, units: i === 0 ? units : unitsForParameters(cell, target, shape) }));
}

/** The pick and its test accuracy: the one test number a comparison reports. */
export function pickLine(report: ExperimentReport): string {
  const { pick } = report;
  return (
    `pick (highest mean validation accuracy): ${pick.cell.toUpperCase()}-${pick.units}, ` +
    `test accuracy ${formatStats(pick.testAccuracy)} on ${report.testCount} test images (${report.splitNote})`
  );
}

export function resultsTable(results: readonly ExperimentResult[]): string {
  return formatTable(results, [
    { header: 'model', value: (r) => `${r.cell.toUpperCase()}-${r.units}`, align: 'left' },
    { header: 'parameters', value: (r) => formatCount(r.parameters) },
    { header: 'validation accuracy', value: (r) => formatStats(r.valAccuracy) },
    { header: 'validation loss', value: (r) => r.valLoss.mean.toFixed(4) },
    { header: 'time/epoch', value: (r) => formatDuration(r.secondsPerEpoch) },
    { header: 'samples/s', value: (r) => formatCount(r.samplesPerSecond) },
  ]);
}
