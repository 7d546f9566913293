import { GruDataError } from './errors';
import { assertRawImage, type RawImage, resampleFloat, toChannels } from './raw-image';

/** Options of {@link preprocessDigit}. */
export interface PreprocessDigitOptions {
  /**
   * `'auto'` (default) inverts when the image's border is lighter than mid-gray (dark ink on light
   * paper); `true` always inverts; `false` never does (the input is already light ink on dark).
   */
  invert?: 'auto' | boolean;
  /** Ink below this fraction of the strongest ink (after background removal) is noise. Default 0.1. */
  inkThreshold?: number;
  /** Side of the box the digit is fitted into, keeping its aspect ratio. Default 20 (MNIST). */
  boxSize?: number;
  /** Side of the output image. Default 28 (MNIST). */
  size?: number;
}

/**
 * Turns a picture of one digit (a photo, a scan, a canvas drawing) into an MNIST-style image, the way
 * MNIST itself was made:
 * 1. grayscale (alpha composited over white, so a transparent canvas counts as paper);
 * 2. if the border is light (dark ink on paper), invert so ink is light on a dark background;
 * 3. subtract the background level (the border's median) and stretch the ink to 0…255; ink below
 *    `inkThreshold` of the maximum becomes 0;
 * 4. crop to the ink's bounding box and fit it into `boxSize × boxSize` keeping the aspect ratio
 *    (area averaging when shrinking, bilinear when enlarging);
 * 5. paste it into a `size × size` black image at the whole-pixel offset that brings its centre of
 *    mass, in pixel-index coordinates (`Σ v·x / Σ v`, x = 0 … size − 1), nearest to `(size / 2, size / 2)`
 *    — (14, 14), where MNIST's own digits have it (training-set mean 14.007, 13.996) — clamped so the box
 *    stays inside the image.
 * An image without ink (blank, or a flat colour) gives an all-zero image, never NaN.
 */
export function preprocessDigit(image: RawImage, options: PreprocessDigitOptions = {}): RawImage {
  assertRawImage(image, 'preprocessDigit');
  const size = options.size ?? 28;
  const boxSize = options.boxSize ?? 20;
  const inkThreshold = options.inkThreshold ?? 0.1;
  if (!Number.isInteger(size) || !Number.isInteger(boxSize) || boxSize < 1 || boxSize > size) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `preprocessDigit: boxSize ${boxSize} and size ${size} must be whole numbers with 1 ≤ boxSize ≤ size.`,
    );
  }
  if (!(inkThreshold >= 0 && inkThreshold < 1)) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `preprocessDigit: inkThreshold ${inkThreshold} must be in [0, 1).`,
    );
  }
  const blank: RawImage = { width: size, height: size, channels: 1, pixels: new Uint8Array(size * size) };
  const gray = toChannels(image, 1, { background: 255 });
  const { width, height } = gray;
  const n = width * height;

  const border: number[] = [];
  for (let x = 0; x < width; x++) {
    border.push(gray.pixels[x]!);
    if (height > 1) border.push(gray.pixels[(height - 1) * width + x]!);
  }
  for (let y = 1; y < height - 1; y++) {
    border.push(gray.pixels[y * width]!);
    if (width > 1) border.push(gray.pixels[y * width + width - 1]!);
  }
  border.sort((a, b) => a - b);
  const borderMedian = border[border.length >> 1]!;
  const invert =
    options.invert === undefined || options.invert === 'auto' ? borderMedian > 127 : options.invert;
  const background = invert ? 255 - borderMedian : borderMedian;

  const ink = new Float32Array(n);
  let maxInk = 0;
  for (let i = 0; i < n; i++) {
    const v = invert ? 255 - gray.pixels[i]! : gray.pixels[i]!;
    const value = Math.max(0, v - background);
    ink[i] = value;
    if (value > maxInk) maxInk = value;
  }
  // Less than ~3% contrast over the background is not a digit: return a blank image.
  if (maxInk < 8) return blank;
  const cut = inkThreshold * maxInk;
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (ink[i]! <= cut) {
        ink[i] = 0;
        continue;
      }
      ink[i] = (ink[i]! * 255) / maxInk;
      if (x < x0) x0 = x;
      if (x > x1) x1 = x;
      if (y < y0) y0 = y;
      if (y > y1) y1 = y;
    }
  }
  if (x1 < 0) return blank;

  const boxWidth = x1 - x0 + 1;
  const boxHeight = y1 - y0 + 1;
  const crop = new Float32Array(boxWidth * boxHeight);
  for (let y = 0; y < boxHeight; y++) {
    for (let x = 0; x < boxWidth; x++) crop[y * boxWidth + x] = ink[(y0 + y) * width + x0 + x]!;
  }
  const scale = boxSize / Math.max(boxWidth, boxHeight);
  const fitWidth = Math.max(1, Math.min(boxSize, Math.round(boxWidth * scale)));
  const fitHeight = Math.max(1, Math.min(boxSize, Math.round(boxHeight * scale)));
  const fitted = resampleFloat(crop, boxWidth, boxHeight, 1, fitWidth, fitHeight);

  let mass = 0;
  let mx = 0;
  let my = 0;
  for (let y = 0; y < fitHeight; y++) {
    for (let x = 0; x < fitWidth; x++) {
      const v = fitted[y * fitWidth + x]!;
      mass += v;
      mx += v * x;
      my += v * y;
    }
  }
  if (!(mass > 0)) return blank;
  const centre = size / 2;
  const offsetX = Math.min(size - fitWidth, Math.max(0, Math.round(centre - mx / mass)));
  const offsetY = Math.min(size - fitHeight, Math.max(0, Math.round(centre - my / mass)));
  const pixels = blank.pixels;
  for (let y = 0; y < fitHeight; y++) {
    for (let x = 0; x < fitWidth; x++) {
      const v = fitted[y * fitWidth + x]!;
      pixels[(offsetY + y) * size + offsetX + x] = Math.min(255, Math.max(0, Math.round(v)));
    }
  }
  return { width: size, height: size, channels: 1, pixels };
}
