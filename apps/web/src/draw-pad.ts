import { rgbaToGray } from './layout';
import type { InputImage } from './protocol';
import { modelStrokeWidth, renderStrokes, StrokeHistory, strokeBounds, toCanvasPoint } from './strokes';

/**
 * The drawing canvas: mouse, touch and pen through pointer events, one stroke per pointer-down,
 * undo and clear. Calls `onChange` after every visible change with the current drawing.
 */
export class DrawPad {
  readonly canvas: HTMLCanvasElement;
  readonly history = new StrokeHistory();
  readonly #ctx: CanvasRenderingContext2D;
  readonly #onChange: (pad: DrawPad, final: boolean) => void;
  #pointerId: number | null = null;

  constructor(canvas: HTMLCanvasElement, onChange: (pad: DrawPad, final: boolean) => void) {
    this.canvas = canvas;
    const ctx = canvas.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('This browser cannot draw on a 2D canvas.');
    this.#ctx = ctx;
    this.#onChange = onChange;
    canvas.addEventListener('pointerdown', this.#down);
    canvas.addEventListener('pointermove', this.#move);
    canvas.addEventListener('pointerup', this.#up);
    canvas.addEventListener('pointercancel', this.#up);
    this.render();
  }

  /** Ink width in canvas pixels: about a tenth of the drawing's 28-px grid cell count, like MNIST pen strokes. */
  get lineWidth(): number {
    return Math.round(this.canvas.width / 14);
  }

  render(): void {
    renderStrokes(this.#ctx, this.history.strokes, this.canvas.width, this.canvas.height, this.lineWidth);
  }

  undo(): void {
    if (this.history.undo()) {
      this.render();
      this.#onChange(this, true);
    }
  }

  clear(): void {
    this.history.clear();
    this.render();
    this.#onChange(this, true);
  }

  /**
   * The drawing as the model should read it, gray bytes (white ink on black): drawn again from the
   * strokes with ink as wide as an MNIST digit's relative to the drawing's size (`modelStrokeWidth`), on
   * a surface that holds the whole stroke, so a tiny digit does not turn into a blob and one drawn from
   * edge to edge keeps the ink the pad's border cut off. The model then centres it as usual.
   */
  image(): InputImage {
    const strokes = this.history.strokes;
    const box = strokeBounds(strokes);
    if (!box) {
      const { width, height } = this.canvas;
      return { width, height, channels: 1, pixels: new Uint8Array(width * height) };
    }
    const ink = modelStrokeWidth(strokes, 1.5);
    const margin = Math.ceil(ink) + 2;
    const width = Math.ceil(box.width) + 2 * margin;
    const height = Math.ceil(box.height) + 2 * margin;
    const surface = new OffscreenCanvas(width, height);
    const ctx = surface.getContext('2d', { willReadFrequently: true });
    if (!ctx) throw new Error('This browser cannot draw on a 2D canvas.');
    const moved = strokes.map((stroke) =>
      stroke.map((p) => ({ x: p.x - box.x + margin, y: p.y - box.y + margin })),
    );
    renderStrokes(ctx, moved, width, height, ink);
    return {
      width,
      height,
      channels: 1,
      pixels: rgbaToGray(ctx.getImageData(0, 0, width, height).data),
    };
  }

  #point(event: PointerEvent): { x: number; y: number } {
    const rect = this.canvas.getBoundingClientRect();
    return toCanvasPoint(
      event.clientX - rect.left,
      event.clientY - rect.top,
      rect.width,
      rect.height,
      this.canvas.width,
      this.canvas.height,
    );
  }

  readonly #down = (event: PointerEvent): void => {
    if (this.#pointerId !== null || (event.pointerType === 'mouse' && event.button !== 0)) return;
    event.preventDefault();
    this.#pointerId = event.pointerId;
    this.canvas.setPointerCapture?.(event.pointerId);
    this.history.begin(this.#point(event));
    this.render();
    this.#onChange(this, false);
  };

  readonly #move = (event: PointerEvent): void => {
    if (event.pointerId !== this.#pointerId) return;
    event.preventDefault();
    const events = event.getCoalescedEvents?.() ?? [];
    let changed = false;
    for (const e of events.length > 0 ? events : [event])
      changed = this.history.extend(this.#point(e)) || changed;
    if (!changed) return;
    this.render();
    this.#onChange(this, false);
  };

  readonly #up = (event: PointerEvent): void => {
    if (event.pointerId !== this.#pointerId) return;
    this.#pointerId = null;
    this.history.end();
    this.#onChange(this, true);
  };
}
