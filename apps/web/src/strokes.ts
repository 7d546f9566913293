/** A point in canvas pixel coordinates. */
export interface Point {
  readonly x: number;
  readonly y: number;
}

/** Anything that can draw a polyline: a `CanvasRenderingContext2D` or a test double. */
export interface StrokeSurface {
  fillStyle: string | CanvasGradient | CanvasPattern;
  strokeStyle: string | CanvasGradient | CanvasPattern;
  lineWidth: number;
  lineCap: CanvasLineCap;
  lineJoin: CanvasLineJoin;
  fillRect(x: number, y: number, w: number, h: number): void;
  beginPath(): void;
  moveTo(x: number, y: number): void;
  lineTo(x: number, y: number): void;
  stroke(): void;
}

/**
 * The strokes drawn so far, oldest first. The drawing is always re-rendered from this list, so undo
 * is exact and resizing never blurs.
 */
export class StrokeHistory {
  readonly #strokes: Point[][] = [];
  #active: Point[] | null = null;

  get strokes(): readonly (readonly Point[])[] {
    return this.#strokes;
  }

  get isEmpty(): boolean {
    return this.#strokes.length === 0;
  }

  get isDrawing(): boolean {
    return this.#active !== null;
  }

  /** Starts a stroke at `p` (a new pointer went down). */
  begin(p: Point): void {
    this.#active = [p];
    this.#strokes.push(this.#active);
  }

  /** Extends the current stroke; ignored when no stroke is active or `p` repeats the last point. */
  extend(p: Point): boolean {
    const active = this.#active;
    if (!active) return false;
    const last = active[active.length - 1]!;
    if (last.x === p.x && last.y === p.y) return false;
    active.push(p);
    return true;
  }

  /** Ends the current stroke. */
  end(): void {
    this.#active = null;
  }

  /** Removes the last stroke; returns whether there was one. */
  undo(): boolean {
    this.#active = null;
    return this.#strokes.pop() !== undefined;
  }

  clear(): void {
    this.#active = null;
    this.#strokes.length = 0;
  }
}

/** Paints `strokes` as white ink of width `lineWidth` on a black `width`×`height` surface (MNIST polarity). */
export function renderStrokes(
  surface: StrokeSurface,
  strokes: readonly (readonly Point[])[],
  width: number,
  height: number,
  lineWidth: number,
): void {
  surface.fillStyle = '#000';
  surface.fillRect(0, 0, width, height);
  surface.strokeStyle = '#fff';
  surface.lineWidth = lineWidth;
  surface.lineCap = 'round';
  surface.lineJoin = 'round';
  for (const stroke of strokes) {
    const first = stroke[0];
    if (!first) continue;
    surface.beginPath();
    surface.moveTo(first.x, first.y);
    // A single tap still leaves a dot: a zero-length segment with round caps.
    if (stroke.length === 1) surface.lineTo(first.x + 0.01, first.y);
    for (let i = 1; i < stroke.length; i++) surface.lineTo(stroke[i]!.x, stroke[i]!.y);
    surface.stroke();
  }
}

/** Converts a pointer position in CSS pixels relative to the element to canvas pixels. */
export function toCanvasPoint(
  offsetX: number,
  offsetY: number,
  cssWidth: number,
  cssHeight: number,
  canvasWidth: number,
  canvasHeight: number,
): Point {
  const sx = cssWidth > 0 ? canvasWidth / cssWidth : 1;
  const sy = cssHeight > 0 ? canvasHeight / cssHeight : 1;
  return {
    x: Math.min(canvasWidth, Math.max(0, offsetX * sx)),
    y: Math.min(canvasHeight, Math.max(0, offsetY * sy)),
  };
}

/** The smallest box around every point of the strokes, or `null` when there are none. */
export function strokeBounds(
  strokes: readonly (readonly Point[])[],
): { x: number; y: number; width: number; height: number } | null {
  let x0 = Number.POSITIVE_INFINITY;
  let y0 = Number.POSITIVE_INFINITY;
  let x1 = Number.NEGATIVE_INFINITY;
  let y1 = Number.NEGATIVE_INFINITY;
  for (const stroke of strokes) {
    for (const p of stroke) {
      x0 = Math.min(x0, p.x);
      y0 = Math.min(y0, p.y);
      x1 = Math.max(x1, p.x);
      y1 = Math.max(y1, p.y);
    }
  }
  return x0 === Number.POSITIVE_INFINITY ? null : { x: x0, y: y0, width: x1 - x0, height: y1 - y0 };
}

/**
 * The share of a drawing's larger side its ink is drawn with for the model: an MNIST digit is fitted
 * into a 20-pixel box with strokes about 2 pixels wide. The drawing pad's own pen (a fourteenth of the
 * pad) matches that for a digit drawn over two thirds of the pad, and nothing else: a tiny digit drawn
 * with it becomes a blob once it is scaled up to 20 pixels.
 */
export const MODEL_STROKE_SHARE = 0.11;

/** The ink width to draw `strokes` with for the model, in the strokes' own units (at least `min`). */
export function modelStrokeWidth(strokes: readonly (readonly Point[])[], min = 1): number {
  const box = strokeBounds(strokes);
  if (!box) return min;
  return Math.max(min, MODEL_STROKE_SHARE * Math.max(box.width, box.height));
}
