// "Inside": the gate heatmaps of the model's first layer (whatever its cell), their colour bars, the
// belief chart, and the selected row marked on the heatmaps, the chart and the model's input (hover,
// tap, or focus and ↑/↓). The units (columns) are shown sorted by when they change, or as stored.
import { drawLineChart, indexAt, type PlotBox } from './chart';
import { unitsByChange } from './gates';
import { HeatmapGrid } from './heatmap-grid';
import { rowAt } from './layout';
import { $ } from './page';
import type { Classification } from './protocol';
import { stepSeries } from './views';

const seenCanvas = $<HTMLCanvasElement>('seen-canvas');
const rowMarker = $('row-marker');
const stepsChart = $<HTMLCanvasElement>('steps-chart');
const unitOrder = $<HTMLSelectElement>('unit-order');

/** The classification shown now, with the class names of its model. */
let shown: { result: Classification; classNames: readonly string[] } | null = null;
let hoveredRow = -1;
let chartBox: PlotBox | null = null;

const grid = new HeatmapGrid($('heatmaps'), 'heat-', $('heat-scale'), (canvas) => {
  canvas.tabIndex = 0;
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
});

/** The units in the order the menu asks for (`null`: as stored). */
function orderOf(result: Classification): number[] | null {
  const { h, timeSteps, units } = result.trace;
  return unitOrder.value === 'change' ? unitsByChange(h, timeSteps, units) : null;
}

function drawChart(): void {
  if (!shown) return;
  const { trace } = shown.result;
  chartBox = drawLineChart(stepsChart, {
    series: stepSeries(trace.stepProbabilities, trace.timeSteps, shown.classNames),
    xCount: trace.timeSteps,
    y: { min: 0, max: 1 },
    highlight: hoveredRow,
    xLabel: 'row read',
  });
}

/** Draws the gates and the belief chart of a classification. */
export function showInside(result: Classification, classNames: readonly string[]): void {
  shown = { result, classNames };
  grid.show(result.trace, orderOf(result), ': tap a row, or use the arrow keys to pick one');
  drawChart();
}

export function emptyChart(): void {
  chartBox = drawLineChart(stepsChart, { series: [], xCount: 28, y: { min: 0, max: 1 }, xLabel: 'row read' });
}

/** Empties the heatmaps and the chart. */
export function clearInside(): void {
  shown = null;
  grid.clear();
  rowMarker.hidden = true;
  emptyChart();
}

unitOrder.addEventListener('change', () => {
  if (shown) showInside(shown.result, shown.classNames);
});

function highlightRow(row: number): void {
  hoveredRow = row;
  const steps = shown?.result.trace.timeSteps ?? 0;
  const inputRows = shown?.result.input.height ?? 0;
  for (const marker of grid.markers) {
    marker.hidden = row < 0 || steps === 0;
    marker.style.top = `${(row / Math.max(1, steps)) * 100}%`;
    marker.style.height = `${100 / Math.max(1, steps)}%`;
  }
  for (const canvas of grid.canvases) {
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
  drawChart();
}

stepsChart.addEventListener('pointermove', (e) => {
  if (!chartBox || !shown) return;
  highlightRow(indexAt(e.offsetX, shown.result.trace.timeSteps, chartBox));
});
stepsChart.addEventListener('pointerleave', () => highlightRow(-1));
