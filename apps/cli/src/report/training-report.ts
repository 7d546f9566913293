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

/** One value per epoch: training solid, and validation dashed when the run had any. */
function epochChart(
  history: readonly EpochLog[],
  title: string,
  yLabel: string,
  train: 'loss' | 'accuracy',
  validation: 'valLoss' | 'valAccuracy',
): string {
  const hasVal = history.some((e) => e.valLoss !== undefined);
  const dashed = { name: 'validation', color: '#ff7f0e', dashed: true };
  return lineChartSvg({
    title,
    yLabel,
    series: [
      { name: 'train', values: history.map((e) => e[train]), color: '#1f77b4' },
      ...(hasVal ? [{ ...dashed, values: history.map((e) => e[validation] ?? Number.NaN) }] : []),
    ],
  });
}

/**
 * The report as files for the model folder (`report.html`, `curves.svg`, `confusion.svg`): they are
 * saved in the same atomic folder write as the model, so a kill never leaves a model without them.
 */
export function trainingReportFiles(input: TrainingReportInput): { name: string; bytes: Uint8Array }[] {
  const loss = epochChart(input.history, 'Loss', 'cross-entropy', 'loss', 'valLoss');
  const accuracy = epochChart(input.history, 'Accuracy', 'accuracy', 'accuracy', 'valAccuracy');
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
