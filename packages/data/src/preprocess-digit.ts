import { GruDataError } from './errors';
import { backgroundField, histogramQuantile } from './preprocess-digit-background';
import { dropSpecks, thickenThinStrokes } from './preprocess-digit-ink';
import { assertRawImage, type RawImage, resampleFloat, toChannels } from './raw-image';

/**
 * Gray levels of spread above which a picture's border or background counts as unevenly lit (a photo
 * with a light gradient, a shadow or dark corners) rather than flat paper with noise.
 */
const UNEVEN = 32;

/**
 * Whether most of a picture is light: its median gray is above the middle of its range (2nd to 98th
 * percentile). The background of a digit picture is most of it, whatever the light does to its corners.
 */
function lightBackground(pixels: Uint8Array): boolean {
  const histogram = new Uint32Array(256);
  for (const v of pixels) histogram[v]!++;
  const at = (p: number): number => histogramQuantile(histogram, pixels.length, p);
  return at(0.5) > (at(0.02) + at(0.98)) / 2;
}

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
 * 2. if the background is light (dark ink on paper), invert so ink is light on a dark background: the
 *    border's median decides (above mid-gray: light), or, when the border is unevenly lit (its 10th
 *    and 90th percentiles more than 32 levels apart: a light gradient, a shadow, dark corners), the
 *    picture's median against the middle of its 2nd…98th percentile range (the background is most of
 *    a picture, whatever the light does to its corners);
 * 3. subtract the background level and stretch the ink to 0…255; ink below `inkThreshold` of the
 *    maximum becomes 0. The level is the border's median, or, when the border is unevenly lit and the
 *    paper's light varies by more than 32 levels across the picture (see `backgroundField`: cell percentiles, a morphological
 *    closing that removes the strokes, bilinear interpolation), the paper's level at each pixel;
 *    then pieces of ink with less than 1 % of the ink's mass (dust, noise) are dropped (`dropSpecks`);
 * 4. crop to the ink's bounding box and fit it into `boxSize × boxSize` keeping the aspect ratio
 *    (area averaging when shrinking, bilinear when enlarging); strokes that would be thinner there
 *    than nearly all of MNIST's (a fine pen in a large picture) are first thickened to MNIST's median
 *    width (`thickenThinStrokes`);
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
  const unevenBorder =
    border[Math.floor(0.9 * (border.length - 1))]! - border[Math.floor(0.1 * (border.length - 1))]! > UNEVEN;
  const invert =
    options.invert === undefined || options.invert === 'auto'
      ? unevenBorder
        ? lightBackground(gray.pixels)
        : borderMedian > 127
      : options.invert;
  const level = invert ? 255 - borderMedian : borderMedian;
  // Uneven light shows on the border (dark corners, a gradient); a flat border keeps one level, so a
  // canvas drawing or a scan is read as before however much ink it holds.
  const field = unevenBorder ? backgroundField(gray.pixels, width, height, invert) : undefined;
  const paper = field !== undefined && field.range > UNEVEN ? field : undefined;

  const ink = new Float32Array(n);
  let maxInk = 0;
  for (let i = 0; i < n; i++) {
    const v = invert ? 255 - gray.pixels[i]! : gray.pixels[i]!;
    const surface = paper ? paper.at(i % width, Math.floor(i / width)) : 0;
    const background = paper ? (invert ? 255 - surface : surface) : level;
    const value = Math.max(0, v - background);
    ink[i] = value;
    if (value > maxInk) maxInk = value;
  }
  // Less than ~3% contrast over the background is not a digit: return a blank image.
  if (maxInk < 8) return blank;
  const cut = inkThreshold * maxInk;
  for (let i = 0; i < n; i++) ink[i] = ink[i]! <= cut ? 0 : (ink[i]! * 255) / maxInk;
  dropSpecks(ink, width, height);
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (ink[y * width + x] === 0) continue;
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
  const digit = thickenThinStrokes(crop, boxWidth, boxHeight, boxSize);
  const scale = boxSize / Math.max(digit.width, digit.height);
  const fitWidth = Math.max(1, Math.min(boxSize, Math.round(digit.width * scale)));
  const fitHeight = Math.max(1, Math.min(boxSize, Math.round(digit.height * scale)));
  const fitted = resampleFloat(digit.pixels, digit.width, digit.height, 1, fitWidth, fitHeight);

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
