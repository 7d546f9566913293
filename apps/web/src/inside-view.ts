// "Inside the GRU": the gate heatmaps, their colour bars, the belief chart, and the selected row marked
// on the heatmaps, the chart and the model's input (hover, tap, or focus and ↑/↓).
import { drawLineChart, indexAt, type PlotBox } from './chart';
import { rowAt } from './layout';
import { $ } from './page';
import type { Classification } from './protocol';
import { renderHeatmap, renderInside } from './views';

const seenCanvas = $<HTMLCanvasElement>('seen-canvas');
const rowMarker = $('row-marker');
export const heat = {
  z: $<HTMLCanvasElement>('heat-z'),
  r: $<HTMLCanvasElement>('heat-r'),
  h: $<HTMLCanvasElement>('heat-h'),
};
const stepsChart = $<HTMLCanvasElement>('steps-chart');

/** The classification shown now, with the class names of its model. */
let shown: { result: Classification; classNames: readonly string[] } | null = null;
let hoveredRow = -1;
let chartBox: PlotBox | null = null;

/** Draws the gates and the belief chart of a classification. */
export function showInside(result: Classification, classNames: readonly string[]): void {
  shown = { result, classNames };
  chartBox = renderInside(result, classNames, { ...heat, chart: stepsChart }, hoveredRow);
}

export function emptyChart(): void {
  chartBox = drawLineChart(stepsChart, { series: [], xCount: 28, y: { min: 0, max: 1 }, xLabel: 'row read' });
}

/** Empties the heatmaps and the chart. */
export function clearInside(): void {
  shown = null;
  for (const canvas of Object.values(heat))
    canvas.getContext('2d')?.clearRect(0, 0, canvas.width, canvas.height);
  rowMarker.hidden = true;
  emptyChart();
}

// ---- row highlight ------------------------------------------------------------------------------

/** A band over each heatmap that marks the selected row (time step). */
const heatMarkers = Object.values(heat).map((canvas) => {
  const wrap = document.createElement('div');
  wrap.className = 'heat-wrap';
  const marker = document.createElement('div');
  marker.className = 'heat-marker';
  marker.hidden = true;
  canvas.before(wrap);
  wrap.append(canvas, marker);
  return marker;
});

function highlightRow(row: number): void {
  hoveredRow = row;
  const steps = shown?.result.trace.timeSteps ?? 0;
  const inputRows = shown?.result.input.height ?? 0;
  for (const marker of heatMarkers) {
    marker.hidden = row < 0 || steps === 0;
    marker.style.top = `${(row / Math.max(1, steps)) * 100}%`;
    marker.style.height = `${100 / Math.max(1, steps)}%`;
  }
  for (const canvas of Object.values(heat)) {
    if (row < 0) delete canvas.dataset.row;
    else canvas.dataset.row = String(row);
  }
  // Rows of the input are time steps only in the rows view (timeSteps = image height).
  if (row < 0 || steps === 0 || steps !== inputRows) {
    rowMarker.hidden = true;
  } else {
    rowMarker.hidden = false;
    const cell = seenCanvas.clientHeight / inputRows;
    rowMarker.style.top = `${row * cell - 2}px`;
    rowMarker.style.height = `${cell + 4}px`;
  }
  if (shown) chartBox = renderInside(shown.result, shown.classNames, { ...heat, chart: stepsChart }, row);
}

for (const canvas of Object.values(heat)) {
  const caption = canvas.closest('figure')?.querySelector('figcaption')?.textContent ?? 'heatmap';
  canvas.tabIndex = 0;
  canvas.setAttribute('aria-label', `${caption}: tap a row, or use the arrow keys to pick one`);
  const rowUnder = (e: PointerEvent): number =>
    rowAt(e.offsetY, canvas.clientHeight, shown?.result.trace.timeSteps ?? 0);
  canvas.addEventListener('pointermove', (e) => highlightRow(rowUnder(e)));
  // A tap (touch, pen or click) selects a row and it stays selected after the finger lifts.
  canvas.addEventListener('pointerdown', (e) => highlightRow(rowUnder(e)));
  canvas.addEventListener('pointerleave', (e) => {
    if (e.pointerType === 'mouse') highlightRow(-1);
  });
  canvas.addEventListener('keydown', (e) => {
    const steps = shown?.result.trace.timeSteps ?? 0;
    if (steps === 0) return;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const next = hoveredRow < 0 ? 0 : hoveredRow + (e.key === 'ArrowDown' ? 1 : -1);
      highlightRow(Math.min(steps - 1, Math.max(0, next)));
    }
  });
  canvas.addEventListener('blur', () => highlightRow(-1));
}

/** The colour bars under the heatmaps: which colour is which value. */
function heatScales(): HTMLElement {
  const root = document.createElement('div');
  root.className = 'heat-scale';
  root.dataset.testid = 'heat-scale';
  for (const [name, min, max] of [
    ['z, r', 0, 1],
    ['h', -1, 1],
  ] as const) {
    const item = document.createElement('figure');
    const bar = document.createElement('canvas');
    const n = 64;
    const values = Float32Array.from({ length: n }, (_, i) => min + ((max - min) * i) / (n - 1));
    renderHeatmap(bar, values, 1, n, min, max);
    bar.setAttribute('role', 'img');
    bar.setAttribute(
      'aria-label',
      `colour scale of ${name}: blue ${min}, white ${(min + max) / 2}, red ${max}`,
    );
    const ticks = document.createElement('div');
    ticks.className = 'ticks';
    for (const v of [min, (min + max) / 2, max]) {
      const t = document.createElement('span');
      t.textContent = String(v).replace('-', '−');
      ticks.append(t);
    }
    const caption = document.createElement('figcaption');
    caption.textContent = name;
    item.append(caption, bar, ticks);
    root.append(item);
  }
  return root;
}
document.querySelector('.heatmaps')?.after(heatScales());

stepsChart.addEventListener('pointermove', (e) => {
  if (!chartBox || !shown) return;
  highlightRow(indexAt(e.offsetX, shown.result.trace.timeSteps, chartBox));
});
stepsChart.addEventListener('pointerleave', () => highlightRow(-1));
