import { GruDataError } from './errors';
import type { SeededRandom } from './random';

/**
 * Random changes to training images, drawn per image from a seeded stream (see `batches`). Every
 * field is off when absent or 0, so `{}` changes nothing.
 */
export interface AugmentOptions {
  /** Shift by a whole number of pixels in [−maxShift, maxShift] along x and y. */
  readonly maxShift?: number;
  /** Rotate about the image centre by an angle uniform in [−rotate, rotate] degrees (at most 180). */
  readonly rotate?: number;
  /** Scale about the image centre by a factor uniform in [1 − scale, 1 + scale] (scale < 1). */
  readonly scale?: number;
  /**
   * Elastic distortion (Simard et al. 2003): a displacement field of uniform [−1, 1] values per pixel,
   * smoothed by a Gaussian of `elasticSigma` pixels and multiplied by `elastic` (pixels).
   */
  readonly elastic?: number;
  /** Standard deviation of the elastic field's Gaussian smoothing, in pixels. Default 4. */
  readonly elasticSigma?: number;
  /** Add Gaussian noise with this standard deviation, as a fraction of the full scale 255 (< 1). */
  readonly noise?: number;
  /** Set a `cutout × cutout` square (its centre uniform over the image, clipped at the edges) to 0. */
  readonly cutout?: number;
}

/** Every key of {@link AugmentOptions}, for unknown-key checks. */
export const AUGMENT_OPTION_KEYS = {
  maxShift: true,
  rotate: true,
  scale: true,
  elastic: true,
  elasticSigma: true,
  noise: true,
  cutout: true,
} as const satisfies Record<keyof AugmentOptions, true>;

/** Default {@link AugmentOptions.elasticSigma}. */
export const DEFAULT_ELASTIC_SIGMA = 4;

/** Shape of one HWC image. */
export interface AugmentShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

const RULES: Record<keyof AugmentOptions, { test: (v: number) => boolean; want: string; example: string }> = {
  maxShift: { test: (v) => Number.isInteger(v) && v >= 0, want: 'a whole number ≥ 0', example: '2' },
  rotate: { test: (v) => v >= 0 && v <= 180, want: 'degrees in [0, 180]', example: '10' },
  scale: { test: (v) => v >= 0 && v < 1, want: 'a fraction in [0, 1)', example: '0.1' },
  elastic: { test: (v) => v >= 0, want: 'pixels ≥ 0', example: '34' },
  elasticSigma: { test: (v) => v > 0 && v <= 64, want: 'pixels in (0, 64]', example: '4' },
  noise: { test: (v) => v >= 0 && v < 1, want: 'a fraction of 255 in [0, 1)', example: '0.05' },
  cutout: { test: (v) => Number.isInteger(v) && v >= 0, want: 'a whole number of pixels ≥ 0', example: '8' },
};

/**
 * Throws `INVALID_ARGUMENT` for a value outside its range, naming the key, the value, the range and an
 * example. `where` names the caller (e.g. `batches: augment`).
 */
export function checkAugmentOptions(options: AugmentOptions, where = 'augment'): void {
  for (const key of Object.keys(RULES) as (keyof AugmentOptions)[]) {
    const value = options[key];
    if (value === undefined) continue;
    const rule = RULES[key];
    if (typeof value !== 'number' || !Number.isFinite(value) || !rule.test(value)) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `${where}.${key} ${String(value)} must be ${rule.want}, e.g. ${key}: ${rule.example}.`,
      );
    }
  }
}

/** True when the options change images at all. */
export function augmentsAnything(options: AugmentOptions | undefined): boolean {
  if (!options) return false;
  const { maxShift = 0, rotate = 0, scale = 0, elastic = 0, noise = 0, cutout = 0 } = options;
  return maxShift > 0 || rotate > 0 || scale > 0 || elastic > 0 || noise > 0 || cutout > 0;
}

/**
 * Bilinear sample of channel `ch` at (sx, sy) (pixel centres at whole coordinates); neighbours outside
 * the image count as 0.
 */
export function sampleBilinear(
  pixels: Uint8Array,
  offset: number,
  shape: AugmentShape,
  sx: number,
  sy: number,
  ch: number,
): number {
  const { height, width, channels } = shape;
  const x0 = Math.floor(sx);
  const y0 = Math.floor(sy);
  const fx = sx - x0;
  const fy = sy - y0;
  const row = width * channels;
  const base = offset + x0 * channels + ch;
  const left = x0 >= 0 && x0 < width;
  const right = x0 + 1 >= 0 && x0 + 1 < width;
  let top = 0;
  let bottom = 0;
  if (y0 >= 0 && y0 < height) {
    const r = base + y0 * row;
    top = (left ? pixels[r]! * (1 - fx) : 0) + (right ? pixels[r + channels]! * fx : 0);
  }
  if (y0 + 1 >= 0 && y0 + 1 < height) {
    const r = base + (y0 + 1) * row;
    bottom = (left ? pixels[r]! * (1 - fx) : 0) + (right ? pixels[r + channels]! * fx : 0);
  }
  return top * (1 - fy) + bottom * fy;
}

function toByte(v: number): number {
  return v <= 0 ? 0 : v >= 255 ? 255 : Math.round(v);
}

/** A similarity transform about the image centre: rotate by `degrees`, scale by `scale`, then move by (dx, dy). */
export interface AffineParameters {
  readonly degrees: number;
  readonly scale: number;
  readonly dx: number;
  readonly dy: number;
}

/**
 * Writes the transformed image into `out`: output pixel p takes the bilinear sample at
 * `c + R(−θ)·(p − c − d) / s`, with c = ((width − 1)/2, (height − 1)/2) the centre, θ = `degrees` (y down,
 * so positive angles turn clockwise on screen), s = `scale`, d = (dx, dy); pixels from outside the image
 * are 0, values are rounded to whole bytes.
 */
export function affineImage(
  out: Uint8Array,
  pixels: Uint8Array,
  offset: number,
  shape: AugmentShape,
  t: AffineParameters,
): void {
  const { height, width, channels } = shape;
  if (!(t.scale > 0)) {
    throw new GruDataError('INVALID_ARGUMENT', `affineImage: scale ${t.scale} must be > 0.`);
  }
  const theta = (t.degrees * Math.PI) / 180;
  const cos = Math.cos(theta) / t.scale;
  const sin = Math.sin(theta) / t.scale;
  const cx = (width - 1) / 2;
  const cy = (height - 1) / 2;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = x - cx - t.dx;
      const v = y - cy - t.dy;
      const sx = cx + cos * u + sin * v;
      const sy = cy - sin * u + cos * v;
      for (let ch = 0; ch < channels; ch++) {
        out[(y * width + x) * channels + ch] = toByte(sampleBilinear(pixels, offset, shape, sx, sy, ch));
      }
    }
  }
}

/**
 * Writes into `out` the image displaced by a field: output pixel (x, y) takes the bilinear sample at
 * `(x + fieldX[y·width + x], y + fieldY[y·width + x])`. A zero field copies the image.
 */
export function displaceImage(
  out: Uint8Array,
  pixels: Uint8Array,
  offset: number,
  shape: AugmentShape,
  fieldX: Float32Array,
  fieldY: Float32Array,
): void {
  const { height, width, channels } = shape;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const k = y * width + x;
      const sx = x + fieldX[k]!;
      const sy = y + fieldY[k]!;
      for (let ch = 0; ch < channels; ch++) {
        out[k * channels + ch] = toByte(sampleBilinear(pixels, offset, shape, sx, sy, ch));
      }
    }
  }
}

/** The normalized Gaussian kernel `exp(−i²/2σ²) / Σ` for i in [−⌈3σ⌉, ⌈3σ⌉]. */
export function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let i = -radius; i <= radius; i++) {
    const w = Math.exp(-(i * i) / (2 * sigma * sigma));
    kernel[i + radius] = w;
    sum += w;
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  return kernel;
}

/** Convolves `lines` lines of `length` values (line k starts at k·`lineStride`, values `step` apart) with `kernel`, zero outside. */
function convolveLines(
  src: Float32Array,
  dst: Float32Array,
  lines: number,
  length: number,
  lineStride: number,
  step: number,
  kernel: Float32Array,
): void {
  const radius = (kernel.length - 1) / 2;
  for (let line = 0; line < lines; line++) {
    const base = line * lineStride;
    for (let i = 0; i < length; i++) {
      let s = 0;
      for (let k = Math.max(-radius, -i); k <= Math.min(radius, length - 1 - i); k++) {
        s += kernel[k + radius]! * src[base + (i + k) * step]!;
      }
      dst[base + i * step] = s;
    }
  }
}

/** Separable convolution of a `height × width` field with `kernel` (rows, then columns), zero outside. In place. */
function smooth(field: Float32Array, height: number, width: number, kernel: Float32Array): void {
  const tmp = new Float32Array(field.length);
  convolveLines(field, tmp, height, width, width, 1, kernel);
  convolveLines(tmp, field, width, height, 1, width, kernel);
}

/**
 * One elastic displacement field `[height·width]` (Simard et al. 2003): uniform [−1, 1) draws (row by
 * row), Gaussian-smoothed with `sigma` (zero outside the image), times `alpha`.
 */
export function elasticField(
  height: number,
  width: number,
  alpha: number,
  sigma: number,
  rng: SeededRandom,
  kernel: Float32Array = gaussianKernel(sigma),
): Float32Array {
  const field = new Float32Array(height * width);
  for (let k = 0; k < field.length; k++) field[k] = rng.next() * 2 - 1;
  smooth(field, height, width, kernel);
  for (let k = 0; k < field.length; k++) field[k]! *= alpha;
  return field;
}

/** A standard normal draw (Box–Muller on two uniform draws). */
export function gaussian(rng: SeededRandom): number {
  const u = 1 - rng.next(); // (0, 1]: log is finite
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** Adds `round(255 · std · N(0, 1))` to every byte of `image` (one draw per byte, in order), clamped to 0–255. */
export function addNoise(image: Uint8Array, std: number, rng: SeededRandom): void {
  const amplitude = 255 * std;
  for (let k = 0; k < image.length; k++) image[k] = toByte(image[k]! + amplitude * gaussian(rng));
}

/**
 * Sets to 0 the `size × size` square of `image` whose top-left pixel is
 * (cx − ⌊size/2⌋, cy − ⌊size/2⌋), clipped to the image (all channels).
 */
export function cutoutImage(
  image: Uint8Array,
  shape: AugmentShape,
  size: number,
  cx: number,
  cy: number,
): void {
  const { height, width, channels } = shape;
  const x0 = Math.max(0, cx - Math.floor(size / 2));
  const y0 = Math.max(0, cy - Math.floor(size / 2));
  const x1 = Math.min(width, cx - Math.floor(size / 2) + size);
  const y1 = Math.min(height, cy - Math.floor(size / 2) + size);
  for (let y = y0; y < y1; y++) image.fill(0, (y * width + x0) * channels, (y * width + x1) * channels);
}

/**
 * Makes augmented copies of images: {@link augment} writes one image's augmented copy into a buffer it
 * owns. Draws, per image and in this order, from `rng`: x then y shift (`maxShift`), angle (`rotate`),
 * scale (`scale`), the x then y elastic fields (`elastic`), the cutout centre x then y (`cutout`), the
 * noise (`noise`, one draw pair per byte). Applies: shift/rotation/scale as one transform (a shift alone
 * moves whole pixels, no resampling), then the elastic field, then the noise, then the cutout.
 */
export class Augmenter {
  private readonly shape: AugmentShape;
  private readonly options: AugmentOptions;
  private readonly kernel: Float32Array | undefined;
  private readonly a: Uint8Array;
  private readonly b: Uint8Array;

  constructor(shape: AugmentShape, options: AugmentOptions, where = 'augment') {
    checkAugmentOptions(options, where);
    this.shape = shape;
    this.options = options;
    const size = shape.height * shape.width * shape.channels;
    this.a = new Uint8Array(size);
    this.b = new Uint8Array(size);
    this.kernel =
      (options.elastic ?? 0) > 0 ? gaussianKernel(options.elasticSigma ?? DEFAULT_ELASTIC_SIGMA) : undefined;
  }

  /** The augmented copy of the image at `offset` of `pixels`; valid until the next call. */
  augment(pixels: Uint8Array, offset: number, rng: SeededRandom): Uint8Array {
    const { maxShift = 0, rotate = 0, scale = 0, elastic = 0, noise = 0, cutout = 0 } = this.options;
    const { height, width } = this.shape;
    const dx = maxShift > 0 ? rng.int(2 * maxShift + 1) - maxShift : 0;
    const dy = maxShift > 0 ? rng.int(2 * maxShift + 1) - maxShift : 0;
    const degrees = rotate > 0 ? (rng.next() * 2 - 1) * rotate : 0;
    const factor = scale > 0 ? 1 + (rng.next() * 2 - 1) * scale : 1;
    let image = this.a;
    if (rotate > 0 || scale > 0) {
      affineImage(image, pixels, offset, this.shape, { degrees, scale: factor, dx, dy });
    } else {
      shiftImage(image, pixels, offset, height, width, this.shape.channels, dx, dy);
    }
    if (elastic > 0) {
      const sigma = this.options.elasticSigma ?? DEFAULT_ELASTIC_SIGMA;
      const fx = elasticField(height, width, elastic, sigma, rng, this.kernel);
      const fy = elasticField(height, width, elastic, sigma, rng, this.kernel);
      const other = image === this.a ? this.b : this.a;
      displaceImage(other, image, 0, this.shape, fx, fy);
      image = other;
    }
    const cx = cutout > 0 ? rng.int(width) : 0;
    const cy = cutout > 0 ? rng.int(height) : 0;
    if (noise > 0) addNoise(image, noise, rng);
    if (cutout > 0) cutoutImage(image, this.shape, cutout, cx, cy);
    return image;
  }
}

/** Copies one HWC image moved by (dx, dy) pixels into `out`; uncovered pixels become 0. */
export function shiftImage(
  out: Uint8Array,
  pixels: Uint8Array,
  offset: number,
  height: number,
  width: number,
  channels: number,
  dx: number,
  dy: number,
): void {
  out.fill(0);
  const rowBytes = width * channels;
  const x0 = Math.max(0, dx);
  const x1 = Math.min(width, width + dx);
  if (x1 <= x0) return;
  for (let y = 0; y < height; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= height) continue;
    const src = offset + sy * rowBytes + (x0 - dx) * channels;
    out.set(pixels.subarray(src, src + (x1 - x0) * channels), y * rowBytes + x0 * channels);
  }
}
