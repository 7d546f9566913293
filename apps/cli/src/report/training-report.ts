import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { EpochLog, Evaluation } from '@gruvision/classifier';
import { formatPercent } from '../ui/format';
import { confusionMatrixSvg, lineChartSvg, reportHtml } from './svg';

export interface TrainingReportInput {
  readonly title: string;
  readonly history: readonly EpochLog[];
  readonly evaluation: Evaluation;
  readonly classNames: readonly string[];
  readonly facts: readonly (readonly [string, string])[];
}

/** Writes `curves.svg`, `confusion.svg` and `report.html` into `dir`; returns their paths. */
export async function writeTrainingReport(
  dir: string,
  input: TrainingReportInput,
): Promise<{ html: string; curves: string; confusion: string }> {
  const h = input.history;
  const hasVal = h.some((e) => e.valLoss !== undefined);
  const loss = lineChartSvg({
    title: 'Loss',
    yLabel: 'cross-entropy',
    series: [
      { name: 'train', values: h.map((e) => e.loss), color: '#1f77b4' },
      ...(hasVal
        ? [
            {
              name: 'validation',
              values: h.map((e) => e.valLoss ?? Number.NaN),
              color: '#ff7f0e',
              dashed: true,
            },
          ]
        : []),
    ],
  });
  const accuracy = lineChartSvg({
    title: 'Accuracy',
    yLabel: 'accuracy',
    series: [
      { name: 'train', values: h.map((e) => e.accuracy), color: '#1f77b4' },
      ...(hasVal
        ? [
            {
              name: 'validation',
              values: h.map((e) => e.valAccuracy ?? Number.NaN),
              color: '#ff7f0e',
              dashed: true,
            },
          ]
        : []),
    ],
  });
  // Both charts side by side in one SVG file.
  const curves = `<svg xmlns="http://www.w3.org/2000/svg" width="960" height="300" viewBox="0 0 960 300">\n${nest(loss, 0)}\n${nest(accuracy, 480)}\n</svg>\n`;
  const confusion = confusionMatrixSvg(input.evaluation.confusion, input.classNames);
  const e = input.evaluation;
  const html = reportHtml({
    title: input.title,
    facts: [
      ['test accuracy', `${formatPercent(e.accuracy)} (${e.count} images)`],
      [`top-${e.topK} accuracy`, formatPercent(e.topKAccuracy)],
      ['test loss', e.loss.toFixed(4)],
      ['macro-F1', e.macroF1.toFixed(4)],
      ...input.facts,
    ],
    figures: [loss, accuracy, confusion],
    perClass: e.perClass,
  });
  const paths = {
    html: join(dir, 'report.html'),
    curves: join(dir, 'curves.svg'),
    confusion: join(dir, 'confusion.svg'),
  };
  await Promise.all([
    writeFile(paths.html, html),
    writeFile(paths.curves, curves),
    writeFile(paths.confusion, `${confusion}\n`),
  ]);
  return paths;
}

function nest(svg: string, x: number): string {
  return svg.replace(/^<svg /, `<svg x="${x}" y="0" `);
}
