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

export const REPORT_FILES = {
  html: 'report.html',
  curves: 'curves.svg',
  confusion: 'confusion.svg',
} as const;

/**
 * The report as files for the model folder (`report.html`, `curves.svg`, `confusion.svg`): they are
 * saved in the same atomic folder write as the model, so a kill never leaves a model without them.
 */
export function trainingReportFiles(input: TrainingReportInput): { name: string; bytes: Uint8Array }[] {
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
  const encoder = new TextEncoder();
  return [
    { name: REPORT_FILES.html, bytes: encoder.encode(html) },
    { name: REPORT_FILES.curves, bytes: encoder.encode(curves) },
    { name: REPORT_FILES.confusion, bytes: encoder.encode(`${confusion}\n`) },
  ];
}

/** Paths of the report files inside a model folder. */
export function reportPaths(dir: string): { html: string; curves: string; confusion: string } {
  return {
    html: join(dir, REPORT_FILES.html),
    curves: join(dir, REPORT_FILES.curves),
    confusion: join(dir, REPORT_FILES.confusion),
  };
}

function nest(svg: string, x: number): string {
  return svg.replace(/^<svg /, `<svg x="${x}" y="0" `);
}
