import { GruDataError } from './errors';

/**
 * A set of images with labels. Pixels stay raw bytes (HWC, row-major, image after image) so 60 000
 * MNIST images cost 47 MB; floats are made per batch.
 */
export interface ImageSet {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** `count · height · width · channels` bytes. */
  readonly pixels: Uint8Array;
  /** `count` class indices in `[0, classNames.length)`. */
  readonly labels: Int32Array;
  readonly classNames: readonly string[];
}

/** Throws a `GruDataError` naming the inconsistent field when `set` is not a well-formed `ImageSet`. */
export function assertImageSet(set: ImageSet, source = 'image set'): void {
  const bad = (message: string): never => {
    throw new GruDataError('INVALID_IMAGE_SET', `${source}: ${message}`);
  };
  for (const key of ['count', 'height', 'width', 'channels'] as const) {
    const v = set[key];
    if (!Number.isInteger(v) || v < (key === 'count' ? 0 : 1))
      bad(`${key} must be a positive integer, got ${v}.`);
  }
  const expected = set.count * set.height * set.width * set.channels;
  if (set.pixels.length !== expected) {
    bad(
      `pixels holds ${set.pixels.length} bytes but count·height·width·channels = ${expected}. ` +
        'Build the set from whole images.',
    );
  }
  if (set.labels.length !== set.count) {
    bad(`labels holds ${set.labels.length} entries for ${set.count} images. Give one label per image.`);
  }
  const classes = set.classNames.length;
  for (let i = 0; i < set.labels.length; i++) {
    const label = set.labels[i]!;
    if (label < 0 || label >= classes) {
      bad(`label ${label} of image ${i} is outside [0, ${classes}). Add its class name or fix the label.`);
    }
  }
}
