import { viewDimensions, viewGather, viewScale } from '@gruvision/math';
import { GruDataError } from './errors';
import type { ImageSet } from './image-set';
import type { RawImage } from './raw-image';

/**
 * How an image becomes a sequence. Plain data (JSON-safe), stored with a trained model so prediction
 * applies exactly the preprocessing training used.
 * - `rows`: T = height, F = width·channels (step t = row t);
 * - `columns`: T = width, F = height·channels (step t = column t, top to bottom);
 * - `pixels`: T = height·width, F = channels (raster order);
 * - `patches`: p×p tiles in raster order, T = (height/p)·(width/p), F = p·p·channels (each tile's
 *   pixels row by row); height and width must be multiples of `patchSize`.
 * `permutationSeed` reorders the steps by the fixed permutation `seededPermutation(T, seed)`: output
 * step t is input step `perm[t]` (permuted sequential MNIST). `normalize` maps a byte v to
 * `(v / 255 − mean) / std`; without it the features are `v / 255`.
 */
export interface SequenceView {
  mode: 'rows' | 'columns' | 'pixels' | 'patches';
  patchSize?: number;
  permutationSeed?: number;
  normalize?: { mean: number; std: number };
}

/** The image shape a view is applied to. */
export interface ImageShape {
  height: number;
  width: number;
  channels: number;
}

/** Time steps and features per step of a view applied to a shape. */
export interface SequenceShape {
  timeSteps: number;
  features: number;
}

const MODES = ['rows', 'columns', 'pixels', 'patches'] as const;

/** Throws `INVALID_ARGUMENT` when `view` is not a valid view of `shape`. */
export function assertSequenceView(view: SequenceView, shape: ImageShape): void {
  if (!view || !MODES.includes(view.mode)) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `Sequence view mode '${String(view?.mode)}' is unknown. Use one of: ${MODES.join(', ')}.`,
    );
  }
  if (view.mode === 'patches') {
    const p = view.patchSize;
    if (p === undefined || !Number.isInteger(p) || p < 1) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `Sequence view 'patches' needs a positive whole patchSize, got ${String(p)}. Pass e.g. { mode: 'patches', patchSize: 4 }.`,
      );
    }
    if (shape.height % p !== 0 || shape.width % p !== 0) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `Sequence view 'patches': patchSize ${p} does not divide the ${shape.height}×${shape.width} image. ` +
          'Pick a patch size that divides both sides.',
      );
    }
  }
  if (view.permutationSeed !== undefined && !Number.isFinite(view.permutationSeed)) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `Sequence view permutationSeed must be a finite number, got ${view.permutationSeed}.`,
    );
  }
  if (view.normalize !== undefined) {
    const { mean, std } = view.normalize;
    if (!Number.isFinite(mean) || !Number.isFinite(std) || std <= 0) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `Sequence view normalize needs a finite mean and a positive std, got mean ${mean}, std ${std}. ` +
          'Use computeNormalization(trainSet).',
      );
    }
  }
}

/** `{ timeSteps, features }` of `view` applied to images of `shape`. */
export function viewShape(view: SequenceView, shape: ImageShape): SequenceShape {
  assertSequenceView(view, shape);
  return viewDimensions(view, shape);
}

const gatherCache = new Map<string, Int32Array>();

/**
 * For each output float of one image's `[T, F]` sequence, the byte offset inside the image (HWC)
 * it reads: `viewGather` of `@gruvision/math` (also used by `@gruvision/interop`), after the view is
 * checked. Cached per view and shape.
 */
export function sequenceGather(view: SequenceView, shape: ImageShape): Int32Array {
  const key = `${view.mode}|${view.patchSize ?? ''}|${view.permutationSeed ?? ''}|${shape.height}|${shape.width}|${shape.channels}`;
  const cached = gatherCache.get(key);
  if (cached) return cached;
  assertSequenceView(view, shape);
  const gather = viewGather(view, shape);
  if (gatherCache.size > 64) gatherCache.clear();
  gatherCache.set(key, gather);
  return gather;
}

/**
 * Writes image `index` of `set` as its `[T, F]` sequence into `out` from `outOffset`
 * (`T·F` floats; bytes scaled to [0, 1], then normalized if the view says so).
 */
export function fillSequence(
  out: Float32Array,
  outOffset: number,
  set: ImageSet,
  index: number,
  view: SequenceView,
): void {
  if (!Number.isInteger(index) || index < 0 || index >= set.count) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `fillSequence: image index ${index} is outside [0, ${set.count}). Pass an index of the set.`,
    );
  }
  const imageSize = set.height * set.width * set.channels;
  fillSequenceFromPixels(out, outOffset, set.pixels, index * imageSize, set, view);
}

/** Like {@link fillSequence}, reading one HWC image of `shape` from `pixels` at `pixelOffset`. */
export function fillSequenceFromPixels(
  out: Float32Array,
  outOffset: number,
  pixels: Uint8Array,
  pixelOffset: number,
  shape: ImageShape,
  view: SequenceView,
): void {
  const gather = sequenceGather(view, shape);
  if (outOffset < 0 || outOffset + gather.length > out.length) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `fillSequence: ${gather.length} floats at offset ${outOffset} do not fit in an output of ${out.length}. ` +
        'Allocate batch·timeSteps·features floats.',
    );
  }
  const { scale, shift } = viewScale(view);
  for (let k = 0; k < gather.length; k++)
    out[outOffset + k] = pixels[pixelOffset + gather[k]!]! * scale + shift;
}

/**
 * One image as its `[T, F]` sequence — what prediction on a single picture needs. The image must
 * already have the shape the model was trained on (see `fitImage`, `preprocessDigit`).
 */
export function imageToSequence(image: RawImage, view: SequenceView): Float32Array {
  const shape = { height: image.height, width: image.width, channels: image.channels };
  const { timeSteps, features } = viewShape(view, shape);
  const out = new Float32Array(timeSteps * features);
  fillSequenceFromPixels(out, 0, image.pixels, 0, shape, view);
  return out;
}

/**
 * Mean and standard deviation (population) of all pixel values of `set` scaled to [0, 1], over all
 * images and channels — the `normalize` of a view, computed on the training set. Exact (from a
 * 256-bin histogram). A constant set gets std 1 so normalizing never divides by zero.
 */
export function computeNormalization(set: Pick<ImageSet, 'pixels'>): { mean: number; std: number } {
  const { mean, std } = pixelStatistics(set);
  return { mean, std: std > 1e-12 ? std : 1 };
}

/** Mean and population std of the pixels scaled to [0, 1] (0 and 0 for no pixels). */
export function pixelStatistics(set: Pick<ImageSet, 'pixels'>): { mean: number; std: number } {
  const histogram = new Float64Array(256);
  const pixels = set.pixels;
  const total = pixels.length;
  for (let i = 0; i < total; i++) histogram[pixels[i]!]!++;
  if (total === 0) return { mean: 0, std: 0 };
  let sum = 0;
  for (let v = 0; v < 256; v++) sum += histogram[v]! * (v / 255);
  const mean = sum / total;
  let squares = 0;
  for (let v = 0; v < 256; v++) squares += histogram[v]! * (v / 255 - mean) ** 2;
  return { mean, std: Math.sqrt(squares / total) };
}
