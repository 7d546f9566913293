import type { ImageSet, RawImage } from '@gruvision/data';
import { assertRawImage, fitImage, preprocessDigit } from '@gruvision/data';
import type { InputShape, Preprocess } from './artifact';
import { GruClassifierError } from './errors';

/** A browser `ImageData` (or anything shaped like it): RGBA bytes, 4 per pixel. */
export interface ImageDataLike {
  readonly width: number;
  readonly height: number;
  readonly data: Uint8ClampedArray | Uint8Array;
}

/** One picture of any size and channel count. */
export type ImageInput = RawImage | ImageDataLike;

/** What `predict` accepts: a whole set, one picture, or a list of pictures. */
export type PredictInput = ImageSet | ImageInput | readonly ImageInput[];

function isImageSet(input: unknown): input is ImageSet {
  return typeof input === 'object' && input !== null && 'count' in input && 'labels' in input;
}

/** Converts an `ImageDataLike` to a 4-channel `RawImage` (a `RawImage` passes through, checked). */
export function toRawImage(input: ImageInput, source = 'image'): RawImage {
  if (typeof input !== 'object' || input === null) {
    throw new GruClassifierError(
      'INVALID_IMAGE',
      `${source}: expected an image ({ width, height, channels, pixels } or ImageData), got ${input === null ? 'null' : typeof input}.`,
    );
  }
  let image: RawImage;
  if ('pixels' in input) {
    image = input;
  } else if ('data' in input) {
    const { width, height, data } = input;
    if (data.length !== width * height * 4) {
      throw new GruClassifierError(
        'INVALID_IMAGE',
        `${source}: ImageData of ${width}×${height} must hold ${width * height * 4} RGBA bytes, got ${data.length}. ` +
          'Pass the ImageData from getImageData() unchanged.',
      );
    }
    image = { width, height, channels: 4, pixels: new Uint8Array(data.buffer, data.byteOffset, data.length) };
  } else {
    throw new GruClassifierError(
      'INVALID_IMAGE',
      `${source}: expected an image ({ width, height, channels, pixels } or ImageData). Decode files first with decodeImage().`,
    );
  }
  try {
    assertRawImage(image, source);
  } catch (error) {
    throw new GruClassifierError('INVALID_IMAGE', (error as Error).message, { cause: error });
  }
  return image;
}

/**
 * One picture in the shape the model reads: with `preprocess: 'mnist'`, MNIST-style centring (gray,
 * ink light on dark, 20×20 box centred by mass in 28×28), then converted and resized to `shape`.
 */
export function prepareImage(
  input: ImageInput,
  shape: InputShape,
  preprocess: Preprocess,
  source = 'image',
): RawImage {
  let image = toRawImage(input, source);
  if (preprocess === 'mnist') image = preprocessDigit(image);
  return fitImage(image, { ...shape, channels: shape.channels as 1 | 3 | 4 });
}

/**
 * Turns predict input into an `ImageSet` of model-shaped images. An `ImageSet` of the model's shape is
 * used as is (dataset images are already in training form, so no digit preprocessing); one of another
 * shape is converted and resized image by image. Single pictures get the model's preprocessing.
 */
export function toModelSet(
  input: PredictInput,
  shape: InputShape,
  preprocess: Preprocess,
  classNames: readonly string[],
): ImageSet {
  if (isImageSet(input)) {
    if (input.height === shape.height && input.width === shape.width && input.channels === shape.channels) {
      return input;
    }
    const size = input.height * input.width * input.channels;
    const images: RawImage[] = [];
    for (let i = 0; i < input.count; i++) {
      images.push({
        width: input.width,
        height: input.height,
        channels: input.channels,
        pixels: input.pixels.subarray(i * size, (i + 1) * size),
      });
    }
    return stack(
      images.map((img, i) => prepareImage(img, shape, 'none', `image ${i}`)),
      shape,
      input.labels,
      classNames,
    );
  }
  const list: readonly ImageInput[] = Array.isArray(input) ? input : [input as ImageInput];
  const prepared = list.map((img, i) =>
    prepareImage(img, shape, preprocess, list.length > 1 ? `image ${i}` : 'image'),
  );
  return stack(prepared, shape, new Int32Array(prepared.length), classNames);
}

function stack(
  images: readonly RawImage[],
  shape: InputShape,
  labels: Int32Array,
  classNames: readonly string[],
): ImageSet {
  const size = shape.height * shape.width * shape.channels;
  const pixels = new Uint8Array(images.length * size);
  images.forEach((img, i) => {
    pixels.set(img.pixels, i * size);
  });
  return { count: images.length, ...shape, pixels, labels, classNames };
}
