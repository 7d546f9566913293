/** An RGB triple, each channel in [0, 255]. */
export type Rgb = readonly [number, number, number];

/** Maps a value in [min, max] to RGB for heatmaps: blue (low) through white to red (high); clamps outside. */
export function heatRgb(value: number, min: number, max: number): Rgb {
  const span = max - min || 1;
  const t = Number.isNaN(value) ? 0.5 : Math.min(1, Math.max(0, (value - min) / span));
  const lo = t < 0.5 ? 1 - 2 * t : 0;
  const hi = t > 0.5 ? 2 * t - 1 : 0;
  return [Math.round(255 * (1 - lo)), Math.round(255 * (1 - lo - hi)), Math.round(255 * (1 - hi))];
}

/** Maps a value in [min, max] to a CSS colour for heatmaps: blue (low) through white to red (high). */
export function heatColor(value: number, min: number, max: number): string {
  const [r, g, b] = heatRgb(value, min, max);
  return `rgb(${r}, ${g}, ${b})`;
}

/**
 * RGBA pixels of a heatmap of `values` laid out `[rows, cols]`, one pixel per value, ready for
 * `new ImageData(pixels, cols, rows)`; scale it up with CSS `image-rendering: pixelated`.
 */
export function heatmapPixels(
  values: Float32Array,
  rows: number,
  cols: number,
  min: number,
  max: number,
): Uint8ClampedArray<ArrayBuffer> {
  if (values.length !== rows * cols) {
    throw new RangeError(`heatmap of ${rows}×${cols} needs ${rows * cols} values, got ${values.length}`);
  }
  const out = new Uint8ClampedArray(rows * cols * 4);
  for (let i = 0; i < values.length; i++) {
    const [r, g, b] = heatRgb(values[i]!, min, max);
    out[4 * i] = r;
    out[4 * i + 1] = g;
    out[4 * i + 2] = b;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** RGBA pixels of a grayscale image (0 = black, 255 = white), for `new ImageData(pixels, width, height)`. */
export function grayPixels(gray: Uint8Array): Uint8ClampedArray<ArrayBuffer> {
  const out = new Uint8ClampedArray(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    const v = gray[i]!;
    out[4 * i] = v;
    out[4 * i + 1] = v;
    out[4 * i + 2] = v;
    out[4 * i + 3] = 255;
  }
  return out;
}

/** Luminance (Rec. 601) of RGBA pixels, composited on black, as one byte per pixel. */
export function rgbaToGray(rgba: Uint8ClampedArray | Uint8Array): Uint8Array {
  const n = rgba.length >> 2;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const a = rgba[4 * i + 3]! / 255;
    const y = 0.299 * rgba[4 * i]! + 0.587 * rgba[4 * i + 1]! + 0.114 * rgba[4 * i + 2]!;
    out[i] = Math.round(y * a);
  }
  return out;
}

/** Which row of a `rows`-row grid drawn `height` CSS pixels tall lies under offset `y`, or -1 outside. */
export function rowAt(y: number, height: number, rows: number): number {
  if (!(height > 0) || y < 0 || y >= height) return -1;
  return Math.min(rows - 1, Math.floor((y / height) * rows));
}
