import { mkdir } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { writeFileAtomic } from '@gruvision/classifier/node';
import { choice, list, positiveInt } from '../options';
import type { RegisterCommand } from '../program';
import { lineChartSvg } from '../report/svg';
import { Output } from '../ui/io';
import { pickLine, resultsTable } from './compare';
import { addExperimentOptions, type ExperimentReport, formatStats, runExperiments } from './experiment';
import { CLI_CELLS, type CliCell } from './shared';

export const registerSweep: RegisterCommand = (program, context) => {
  const command = program
    .command('sweep')
    .description(
      'how many hidden units? Train one model per size and chart accuracy against parameters and time',
    )
    .option(
      '--units <list>',
      'hidden unit counts to try, comma-separated',
      list(positiveInt),
      [32, 64, 128, 256],
    )
    .option('--cell <cell>', 'gru | lstm | rnn | mingru | minlstm', choice(CLI_CELLS), 'gru')
    .option('--out <file>', 'SVG chart to write', join('runs', 'sweep.svg'));
  addExperimentOptions(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision sweep --units 32,64,128,256
  $ gruvision sweep --units 16,32 --cell lstm --limit 2000 --epochs 1 --seeds 3 --json

Each size is trained on the training images less a held-out --validation share and scored on that
share; the size with the highest mean validation accuracy is the pick, and only the pick is tested.`,
  );
  command.action(async (raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const sizes = [...new Set(raw.units as number[])].sort((a, b) => a - b);
    const cell = raw.cell as CliCell;
    const { report } = await runExperiments(raw, () => sizes.map((units) => ({ cell, units })), output);
    const chart = resolve(raw.out as string);
    await mkdir(dirname(chart), { recursive: true });
    await writeFileAtomic(chart, new TextEncoder().encode(sweepChartSvg(report)));
    output.result({ chart, ...report }, true);
    output.line(resultsTable(report.results));
    output.line(pickLine(report));
    output.line(`chart: ${chart}`);
  });
};

/**
 * Validation accuracy (mean over seeds, and mean ± one standard deviation with several) and seconds per
 * epoch against the sweep's sizes, side by side; the title names the pick and its test accuracy, the
 * only test number.
 */
export function sweepChartSvg(report: ExperimentReport): string {
  const { results, pick } = report;
  const labels = results.map((r) => `${r.units} (${r.parameters})`);
  const seeds = report.seeds.length;
  const mean = results.map((r) => r.valAccuracy.mean);
  const accuracy = lineChartSvg({
    title: `Validation accuracy (pick ${pick.units}: test ${formatStats(pick.testAccuracy)})`,
    yLabel: 'validation accuracy',
    xLabel: 'hidden units (parameters)',
    xTicks: labels,
    series: [
      {
        name: seeds > 1 ? `validation accuracy, mean of ${seeds} seeds` : 'validation accuracy',
        values: mean,
        color: '#1f77b4',
      },
      ...(seeds > 1
        ? [
            {
              name: '− 1 sd',
              values: results.map((r) => r.valAccuracy.mean - r.valAccuracy.std),
              color: '#aec7e8',
            },
            {
              name: '+ 1 sd',
              values: results.map((r) => r.valAccuracy.mean + r.valAccuracy.std),
              color: '#aec7e8',
            },
          ]
        : []),
    ],
  });
  const time = lineChartSvg({
    title: 'Training time by hidden units',
    yLabel: 'seconds per epoch',
    xLabel: 'hidden units (parameters)',
    xTicks: labels,
    series: [{ name: 'seconds/epoch', values: results.map((r) => r.secondsPerEpoch), color: '#d62728' }],
  });
  return `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="300" viewBox="0 0 960 300">\n${accuracy.replace(/^<svg /, '<svg x="0" y="0" ')}\n${time.replace(/^<svg /, '<svg x="480" y="0" ')}\n</svg>\n`;
}
