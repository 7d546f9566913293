import { classColors } from './chart';
import { grayPixels, heatmapPixels } from './layout';
import type { GrayImage } from './protocol';
import { formatPercent, topK } from './top-k';

/** Fills the top-3 list with labels, probability bars and percentages. */
export function renderTop3(
  list: HTMLElement,
  probabilities: Float32Array,
  classNames: readonly string[],
): void {
  list.replaceChildren(
    ...topK(probabilities, classNames, 3).map((c) => {
      const li = document.createElement('li');
      li.dataset.label = c.label;
      li.dataset.index = String(c.index);
      const name = document.createElement('span');
      name.className = 'name';
      name.textContent = c.label;
      const bar = document.createElement('span');
      bar.className = 'bar';
      bar.setAttribute('role', 'meter');
      bar.setAttribute('aria-valuemin', '0');
      bar.setAttribute('aria-valuemax', '1');
      bar.setAttribute('aria-valuenow', c.probability.toFixed(4));
      bar.setAttribute('aria-label', `probability of ${c.label}`);
      const fill = document.createElement('span');
      fill.style.width = formatPercent(c.probability);
      bar.append(fill);
      const pct = document.createElement('span');
      pct.className = 'p';
      pct.textContent = formatPercent(c.probability);
      li.append(name, bar, pct);
      return li;
    }),
  );
}

/** Draws a gray image at its own resolution; CSS scales it up pixelated. */
export function renderGray(canvas: HTMLCanvasElement, image: GrayImage): void {
  canvas.width = image.width;
  canvas.height = image.height;
  canvas
    .getContext('2d')
    ?.putImageData(new ImageData(grayPixels(image.pixels), image.width, image.height), 0, 0);
}

/** Draws a `[rows, cols]` heatmap one pixel per value; CSS scales it up pixelated. */
export function renderHeatmap(
  canvas: HTMLCanvasElement,
  values: Float32Array,
  rows: number,
  cols: number,
  min: number,
  max: number,
): void {
  canvas.width = cols;
  canvas.height = rows;
  canvas
    .getContext('2d')
    ?.putImageData(new ImageData(heatmapPixels(values, rows, cols, min, max), cols, rows), 0, 0);
}

/** The per-class series of `stepProbabilities [T, classes]`. */
export function stepSeries(
  stepProbabilities: Float32Array,
  timeSteps: number,
  classNames: readonly string[],
): { name: string; color: string; values: number[] }[] {
  const classes = classNames.length;
  return classNames.map((name, c) => ({
    name,
    color: classColors[c % classColors.length]!,
    values: Array.from({ length: timeSteps }, (_, t) => stepProbabilities[t * classes + c]!),
  }));
}

/**
 * The caption of an update-gate picture: which convention its z follows. Keras, PyTorch and tfjs
 * (`'keepsOld'`): z = 1 keeps the old state; the founding text (`'takesNew'`): z = 1 takes the new candidate.
 */
export function updateGateCaption(updateGate: 'keepsOld' | 'takesNew'): string {
  return updateGate === 'takesNew'
    ? 'update gate z (z = 1 takes the new candidate, as in the founding text)'
    : 'update gate z (z = 1 keeps the old state, as in Keras)';
}

/** How a cell is named on the page: GRU, LSTM, SimpleRNN, minGRU, minLSTM. */
export function cellName(cell: string): string {
  const names: Readonly<Record<string, string>> = {
    gru: 'GRU',
    lstm: 'LSTM',
    simpleRnn: 'SimpleRNN',
    mingru: 'minGRU',
    minlstm: 'minLSTM',
  };
  return names[cell] ?? cell;
}

/** The legend of the belief chart. */
export function renderLegend(list: HTMLElement, classNames: readonly string[]): void {
  list.replaceChildren(
    ...classNames.map((name, c) => {
      const li = document.createElement('li');
      const swatch = document.createElement('i');
      swatch.style.background = classColors[c % classColors.length]!;
      li.append(swatch, name);
      return li;
    }),
  );
}
