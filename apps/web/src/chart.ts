import type { Point } from './strokes';

/** A named series of y values at x = 0, 1, 2, ... */
export interface Series {
  readonly name: string;
  readonly color: string;
  readonly values: readonly number[];
}

/** The plotting area inside a chart canvas. */
export interface PlotBox {
  readonly left: number;
  readonly top: number;
  readonly width: number;
  readonly height: number;
}

/** The y range that shows every finite value of `series` (from 0 when none is negative), or `fixed` when given; never empty. */
export function yRange(
  series: readonly Series[],
  fixed?: { min: number; max: number },
): { min: number; max: number } {
  if (fixed) return fixed;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (const v of s.values) {
      if (!Number.isFinite(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min === Number.POSITIVE_INFINITY) return { min: 0, max: 1 };
  if (min === max) return { min: min - 0.5, max: max + 0.5 };
  const pad = (max - min) * 0.05;
  // Non-negative data (loss, accuracy, probabilities) keeps 0 in view.
  return { min: min >= 0 ? 0 : min - pad, max: max + pad };
}

/**
 * Maps `values` (x = index) into `box`, where `xCount` points span the full width and y in
 * `[min, max]` spans the height (max at the top). Non-finite values are dropped.
 */
export function plotPoints(
  values: readonly number[],
  xCount: number,
  min: number,
  max: number,
  box: PlotBox,
): Point[] {
  const dx = xCount > 1 ? box.width / (xCount - 1) : 0;
  const span = max - min || 1;
  const out: Point[] = [];
  values.forEach((v, i) => {
    if (!Number.isFinite(v)) return;
    const t = Math.min(1, Math.max(0, (v - min) / span));
    out.push({ x: box.left + i * dx, y: box.top + (1 - t) * box.height });
  });
  return out;
}

/**
 * Round tick values inside [min, max], about `count` of them: steps of 1, 2 or 5 × 10^k, chosen as
 * d3-array's `ticks` chooses them (so [0, 1] gives 0, 0.2, …, 1 and rows 1…28 give 5, 10, …, 25).
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min) || !(count > 0) || !Number.isFinite(min) || !Number.isFinite(max)) return [];
  const raw = (max - min) / count;
  const power = Math.floor(Math.log10(raw));
  const error = raw / 10 ** power;
  const factor = error >= Math.sqrt(50) ? 10 : error >= Math.sqrt(10) ? 5 : error >= Math.sqrt(2) ? 2 : 1;
  // Steps below 1 divide by an integer inverse, so 0.3 is 3 / 10, not 3 × 0.1 = 0.30000000000000004.
  if (power < 0) {
    const inverse = 10 ** -power / factor;
    const out: number[] = [];
    for (let i = Math.ceil(min * inverse); i <= Math.floor(max * inverse); i++) out.push(i / inverse);
    return out;
  }
  const step = factor * 10 ** power;
  const out: number[] = [];
  for (let i = Math.ceil(min / step); i <= Math.floor(max / step); i++) out.push(i * step);
  return out;
}

/** The smallest round number (a tick of `niceTicks(0, ·, count)` style) at or above `max` > 0. */
export function niceCeil(max: number, count = 4): number {
  if (!(max > 0) || !Number.isFinite(max)) return 1;
  const ticks = niceTicks(0, max, count);
  const step = ticks.length > 1 ? ticks[1]! - ticks[0]! : max;
  const last = ticks.at(-1) ?? 0;
  return last >= max ? last : Number((last + step).toPrecision(12));
}

/** A tick label: as few digits as the value needs ("0", "0.2", "25"), with a true minus sign. */
export function tickLabel(value: number): string {
  return String(Number(value.toPrecision(6))).replace('-', '−');
}

/** Which x index of an `xCount`-point chart is nearest to canvas x `px`, or -1 outside the box. */
export function indexAt(px: number, xCount: number, box: PlotBox): number {
  if (xCount < 1 || px < box.left - 1 || px > box.left + box.width + 1) return -1;
  if (xCount === 1) return 0;
  const i = Math.round(((px - box.left) / box.width) * (xCount - 1));
  return Math.min(xCount - 1, Math.max(0, i));
}

/** Ten distinguishable colours for class lines (Tableau 10). */
export const classColors: readonly string[] = [
  '#4e79a7',
  '#f28e2b',
  '#e15759',
  '#76b7b2',
  '#59a14f',
  '#edc948',
  '#b07aa1',
  '#ff9da7',
  '#9c755f',
  '#bab0ac',
];

/** Options of `drawLineChart`. */
export interface LineChartOptions {
  readonly series: readonly Series[];
  /** Points on the x axis; default: the longest series. */
  readonly xCount?: number;
  readonly y?: { min: number; max: number };
  /** Index to mark with a vertical line (e.g. the hovered row), -1 for none. */
  readonly highlight?: number;
  readonly xLabel?: string;
}

/**
 * Sizes a canvas's backing store to its CSS size × `devicePixelRatio` (keeping the aspect ratio of its
 * `width`/`height` attributes as first written) and returns a context that draws in CSS pixels, so
 * lines and text stay sharp at DPR 2 and 3. A hidden canvas keeps the last size it was shown at.
 */
export function sharpContext(canvas: HTMLCanvasElement): {
  ctx: CanvasRenderingContext2D | null;
  width: number;
  height: number;
} {
  const data = canvas.dataset;
  if (!data.baseWidth) {
    data.baseWidth = String(canvas.width);
    data.aspect = String(canvas.height / canvas.width);
  }
  const measured = canvas.clientWidth;
  if (measured > 0) data.cssWidth = String(measured);
  const width = Number(data.cssWidth ?? data.baseWidth);
  const height = Math.round(width * Number(data.aspect));
  const dpr = globalThis.devicePixelRatio || 1;
  const w = Math.round(width * dpr);
  const h = Math.round(height * dpr);
  if (canvas.width !== w) canvas.width = w;
  if (canvas.height !== h) canvas.height = h;
  const ctx = canvas.getContext('2d');
  ctx?.setTransform(w / width, 0, 0, h / height, 0, 0);
  return { ctx, width, height };
}

/** Draws a line chart with axes into a canvas, in CSS pixels, sharp on high-DPI screens. The box is in CSS pixels. */
export function drawLineChart(canvas: HTMLCanvasElement, options: LineChartOptions): PlotBox {
  const { ctx, width, height } = sharpContext(canvas);
  const box: PlotBox = { left: 36, top: 8, width: width - 44, height: height - 30 };
  if (!ctx) return box;
  const xCount = options.xCount ?? Math.max(1, ...options.series.map((s) => s.values.length));
  const { min, max } = yRange(options.series, options.y);
  ctx.clearRect(0, 0, width, height);
  ctx.font = '10px system-ui, sans-serif';
  ctx.fillStyle = '#666';
  ctx.strokeStyle = '#ddd';
  ctx.lineWidth = 1;
  const span = max - min || 1;
  // Round ticks: y values such as 0, 0.2, …, 1; x at rounded step numbers (counted from 1).
  const yTicks = niceTicks(min, max, 5);
  for (const v of yTicks) {
    const y = box.top + (1 - (v - min) / span) * box.height;
    ctx.beginPath();
    ctx.moveTo(box.left, y);
    ctx.lineTo(box.left + box.width, y);
    ctx.stroke();
    ctx.fillText(tickLabel(v), 2, y + 3);
  }
  const xTicks = xCount > 1 ? niceTicks(1, xCount, Math.min(6, xCount - 1)) : [1];
  ctx.textAlign = 'center';
  for (const n of xTicks) {
    const x = box.left + (xCount > 1 ? ((n - 1) / (xCount - 1)) * box.width : 0);
    ctx.beginPath();
    ctx.moveTo(x, box.top + box.height);
    ctx.lineTo(x, box.top + box.height + 3);
    ctx.stroke();
    ctx.fillText(tickLabel(n), x, box.top + box.height + 12);
  }
  if (options.xLabel) ctx.fillText(options.xLabel, box.left + box.width / 2, box.top + box.height + 22);
  ctx.textAlign = 'start';
  // What a reader sees, for tests and tools: the tick values drawn.
  canvas.dataset.yTicks = yTicks.map(tickLabel).join(',');
  canvas.dataset.xTicks = xTicks.map(tickLabel).join(',');
  const highlight = options.highlight ?? -1;
  if (highlight >= 0 && xCount > 1) {
    const x = box.left + (highlight / (xCount - 1)) * box.width;
    ctx.strokeStyle = '#f0a';
    ctx.beginPath();
    ctx.moveTo(x, box.top);
    ctx.lineTo(x, box.top + box.height);
    ctx.stroke();
  }
  ctx.lineWidth = 2;
  for (const s of options.series) {
    const pts = plotPoints(s.values, xCount, min, max, box);
    if (pts.length === 0) continue;
    ctx.strokeStyle = s.color;
    ctx.beginPath();
    ctx.moveTo(pts[0]!.x, pts[0]!.y);
    for (const p of pts.slice(1)) ctx.lineTo(p.x, p.y);
    if (pts.length === 1) ctx.lineTo(pts[0]!.x + 1, pts[0]!.y);
    ctx.stroke();
  }
  return box;
}
