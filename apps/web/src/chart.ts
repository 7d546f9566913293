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
  for (let k = 0; k <= 4; k++) {
    const y = box.top + (k / 4) * box.height;
    ctx.beginPath();
    ctx.moveTo(box.left, y);
    ctx.lineTo(box.left + box.width, y);
    ctx.stroke();
    const v = max - (k / 4) * (max - min);
    ctx.fillText(Math.abs(v) >= 10 ? v.toFixed(0) : v.toFixed(2), 2, y + 3);
  }
  ctx.fillText('1', box.left - 2, box.top + box.height + 12);
  ctx.fillText(String(xCount), box.left + box.width - 10, box.top + box.height + 12);
  if (options.xLabel) ctx.fillText(options.xLabel, box.left + box.width / 2 - 20, box.top + box.height + 22);
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
