import { Augmenter, type AugmentOptions, augmentsAnything, checkAugmentOptions } from './augment';
import { GruDataError } from './errors';
import type { ImageSet } from './image-set';
import { mixSeed, SeededRandom } from './random';
import { type SequenceView, sequenceGather, viewShape } from './sequence-view';

/** One batch of sequences. */
export interface Batch {
  /** `[size, T, F]` floats. */
  x: Float32Array;
  /** `[size]` labels. */
  y: Int32Array;
  /** Number of images in this batch (the last one may be short unless `dropLast`). */
  size: number;
  /** Indices into the set of this batch's images, in batch order. */
  indices: Int32Array;
}

/** Options of {@link batches}. */
export interface BatchOptions {
  batchSize: number;
  view: SequenceView;
  /** Seed of the shuffle and augmentation. Default 0. */
  seed?: number;
  /**
   * Epoch number mixed into the seed (`mixSeed(seed, epoch)`), so every epoch gets its own order while
   * `(seed, epoch)` always gives the same one. Default 0. Pass the epoch (or a fresh seed) each epoch.
   */
  epoch?: number;
  /** Visit images in a seeded random order. Default true; false keeps set order (evaluation). */
  shuffle?: boolean;
  /** Drop the last, short batch. Default false. */
  dropLast?: boolean;
  /**
   * Random changes per image (shifts, rotations, scaling, elastic distortion, noise, cutout); see
   * {@link AugmentOptions} and {@link Augmenter}. Off by default.
   */
  augment?: AugmentOptions;
  /** Visit only these images of the set (e.g. a split's indices). Default: all of them. */
  indices?: ArrayLike<number>;
}

/** Number of batches `batches` yields for `count` images. */
export function countBatches(count: number, options: { batchSize: number; dropLast?: boolean }): number {
  return options.dropLast ? Math.floor(count / options.batchSize) : Math.ceil(count / options.batchSize);
}

/**
 * The batches of one epoch over `set`: `x` `[B, T, F]` in the layout of `view`, `y` `[B]`.
 * With `shuffle` (the default) the order is `SeededRandom(mixSeed(seed, epoch)).shuffle` of the image
 * indices; every image appears exactly once per epoch (all but the last `count mod batchSize` with
 * `dropLast`). Augmentation draws from a second stream, `SeededRandom(mixSeed(seed, epoch) ^ 0x5bd1e995)`,
 * in the order {@link Augmenter} documents (a shift alone: x, then y, per image). Buffers are fresh per batch, so a consumer may keep them.
 */
export function batches(set: ImageSet, options: BatchOptions): Iterable<Batch> {
  const { batchSize, view } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `batches: batchSize ${batchSize} must be a positive whole number.`,
    );
  }
  const shape = { height: set.height, width: set.width, channels: set.channels };
  const { timeSteps, features } = viewShape(view, shape);
  const gather = sequenceGather(view, shape);
  const augment = options.augment;
  // Bad values fail here, at the call, not on the first iteration.
  if (augment) checkAugmentOptions(augment, 'batches: augment');
  const streamSeed = mixSeed(options.seed ?? 0, options.epoch ?? 0);
  const source = options.indices;
  const order = new Int32Array(source ? source.length : set.count);
  for (let i = 0; i < order.length; i++) {
    const index = source ? source[i]! : i;
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new GruDataError('INVALID_ARGUMENT', `batches: index ${index} is outside [0, ${set.count}).`);
    }
    order[i] = index;
  }
  if (options.shuffle ?? true) new SeededRandom(streamSeed).shuffle(order);
  const total = countBatches(order.length, { batchSize, dropLast: options.dropLast });
  const mean = view.normalize?.mean ?? 0;
  const std = view.normalize?.std ?? 1;
  const scale = 1 / (255 * std);
  const shift = -mean / std;
  const imageSize = set.height * set.width * set.channels;
  const stepSize = timeSteps * features;
  const lut = new Float32Array(256);
  for (let v = 0; v < 256; v++) lut[v] = v * scale + shift;
  let identity = true;
  for (let k = 0; k < gather.length && identity; k++) identity = gather[k] === k;

  return {
    *[Symbol.iterator](): Iterator<Batch> {
      const augmentRng = new SeededRandom(streamSeed ^ 0x5bd1e995);
      const augmenter = augmentsAnything(augment) ? new Augmenter(shape, augment!) : undefined;
      for (let b = 0; b < total; b++) {
        const start = b * batchSize;
        const size = Math.min(batchSize, order.length - start);
        const x = new Float32Array(size * stepSize);
        const y = new Int32Array(size);
        const indices = order.slice(start, start + size);
        for (let i = 0; i < size; i++) {
          const index = indices[i]!;
          y[i] = set.labels[index]!;
          let pixels = set.pixels;
          let offset = index * imageSize;
          if (augmenter) {
            pixels = augmenter.augment(set.pixels, offset, augmentRng);
            offset = 0;
          }
          const o = i * stepSize;
          if (identity) {
            for (let k = 0; k < stepSize; k++) x[o + k] = lut[pixels[offset + k]!]!;
          } else {
            for (let k = 0; k < stepSize; k++) x[o + k] = lut[pixels[offset + gather[k]!]!]!;
          }
        }
        yield { x, y, size, indices };
      }
    },
  };
}
