import { GruDataError } from './errors';
import type { ImageSet } from './image-set';

/** The contents of one IDX file: its dimensions and its unsigned bytes. */
export interface IdxArray {
  /** Sizes of the dimensions, outermost first (`[count, height, width]` for images). */
  readonly dims: readonly number[];
  /** `dims` multiplied out, row-major. A view into the input bytes (no copy). */
  readonly data: Uint8Array;
}

/** Images read from an IDX file of rank 3 (`[count, height, width]`, one channel). */
export interface IdxImages {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly pixels: Uint8Array;
}

/** Magic number of an MNIST image file: unsigned bytes, 3 dimensions. */
export const IDX_IMAGES_MAGIC = 2051;
/** Magic number of an MNIST label file: unsigned bytes, 1 dimension. */
export const IDX_LABELS_MAGIC = 2049;

const TYPE_NAMES: Record<number, string> = {
  8: 'unsigned byte',
  9: 'signed byte',
  11: 'short',
  12: 'int',
  13: 'float',
  14: 'double',
};

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** What an IDX header declares. */
export interface IdxHeader {
  /** Sizes of the dimensions, outermost first. */
  readonly dims: readonly number[];
  /** Bytes of the header: 4 + 4 · rank. */
  readonly headerLength: number;
  /** Bytes of data the header declares: the product of `dims` (may exceed 2^53 for a hostile header). */
  readonly size: number;
}

/**
 * Reads the header at the start of `bytes`: throws `BAD_MAGIC` or `UNSUPPORTED_FORMAT` for a header
 * that is not an unsigned-byte IDX header, and returns `undefined` when `bytes` end inside the header
 * (so a streaming reader can wait for more).
 */
export function parseIdxHeader(bytes: Uint8Array, source = 'IDX data'): IdxHeader | undefined {
  if (bytes.length < 4) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const magic = view.getUint32(0, false);
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (bytes[0] !== 0 || bytes[1] !== 0 || !(type in TYPE_NAMES) || rank === 0) {
    throw new GruDataError(
      'BAD_MAGIC',
      `${source}: magic number ${magic} (0x${magic.toString(16).padStart(8, '0')}) is not an IDX header ` +
        `(expected ${IDX_IMAGES_MAGIC} for images or ${IDX_LABELS_MAGIC} for labels). Check that this is an ` +
        'uncompressed MNIST-style IDX file and not another format.',
      { file: source },
    );
  }
  if (type !== 0x08) {
    throw new GruDataError(
      'UNSUPPORTED_FORMAT',
      `${source}: IDX element type ${TYPE_NAMES[type]} (0x${type.toString(16)}) is not supported; only ` +
        'unsigned bytes (0x08) are. Convert the data to 8-bit values.',
      { file: source },
    );
  }
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) return undefined;
  const dims: number[] = [];
  let size = 1;
  for (let d = 0; d < rank; d++) {
    const n = view.getUint32(4 + 4 * d, false);
    dims.push(n);
    size *= n;
  }
  return { dims, headerLength, size };
}

/**
 * Reads an IDX file (the MNIST family's format: `0x00 0x00 type rank`, big-endian 32-bit sizes,
 * then the data) whose element type is unsigned byte. The data is a view into `bytes`, not a copy.
 * Gzip-compressed bytes are refused here (this entry is browser-safe and synchronous); the Node
 * readers in `@gruvision/data/node` decompress `.gz` files transparently.
 */
export function readIdx(bytes: Uint8Array, source = 'IDX data'): IdxArray {
  if (isGzip(bytes)) {
    throw new GruDataError(
      'UNSUPPORTED_FORMAT',
      `${source}: the bytes are gzip-compressed. Decompress them first (readIdxFile from ` +
        `'@gruvision/data/node' does it for .gz files).`,
      { file: source },
    );
  }
  const header = parseIdxHeader(bytes, source);
  if (header === undefined) {
    const headerLength = bytes.length >= 4 ? 4 + 4 * bytes[3]! : 4;
    throw new GruDataError(
      'TRUNCATED',
      bytes.length < 4
        ? `${source}: only ${bytes.length} bytes, too short for an IDX header. The file is truncated or ` +
            'empty; download or extract it again.'
        : `${source}: the header declares ${bytes[3]} dimensions (${headerLength} bytes) but the file has only ` +
            `${bytes.length} bytes. The file is truncated; download or extract it again.`,
      { file: source },
    );
  }
  const { dims, headerLength, size } = header;
  const available = bytes.length - headerLength;
  if (available < size) {
    throw new GruDataError(
      'TRUNCATED',
      `${source}: the header promises ${dims.join('×')} = ${size} bytes of data but only ${available} ` +
        'follow. The file is truncated; download or extract it again.',
      { file: source },
    );
  }
  if (available > size) {
    throw new GruDataError(
      'MALFORMED',
      `${source}: ${available - size} unexpected bytes follow the ${dims.join('×')} data the header ` +
        'declares. The file is corrupt or not an IDX file; download or extract it again.',
      { file: source },
    );
  }
  return { dims, data: new Uint8Array(bytes.buffer, bytes.byteOffset + headerLength, size) };
}

/** Reads an IDX image file (magic 2051, `[count, height, width]`). Pixels are a view, not a copy. */
export function readIdxImages(bytes: Uint8Array, source = 'IDX images'): IdxImages {
  const { dims, data } = readIdx(bytes, source);
  if (dims.length !== 3) {
    throw new GruDataError(
      'BAD_MAGIC',
      `${source}: magic number ${0x800 + dims.length} declares ${dims.length} dimension(s), but an image ` +
        `file has 3 (magic ${IDX_IMAGES_MAGIC}). Pass the images file here (is it the labels file?).`,
      { file: source },
    );
  }
  const [count, height, width] = dims as [number, number, number];
  if (height === 0 || width === 0) {
    throw new GruDataError(
      'MALFORMED',
      `${source}: images of ${height}×${width} pixels have no pixels. The file is corrupt; download it again.`,
      { file: source },
    );
  }
  return { count, height, width, pixels: data };
}

/** Reads an IDX label file (magic 2049, `[count]`). */
export function readIdxLabels(bytes: Uint8Array, source = 'IDX labels'): Int32Array {
  const { dims, data } = readIdx(bytes, source);
  if (dims.length !== 1) {
    throw new GruDataError(
      'BAD_MAGIC',
      `${source}: magic number ${0x800 + dims.length} declares ${dims.length} dimensions, but a label ` +
        `file has 1 (magic ${IDX_LABELS_MAGIC}). Pass the labels file here (is it the images file?).`,
      { file: source },
    );
  }
  return Int32Array.from(data);
}

/** Options of {@link readIdxImageSet}. */
export interface IdxImageSetOptions {
  /** Class names; labels must be below their count. Default: `'0'…'9'` (the MNIST family's 10 classes). */
  classNames?: readonly string[];
  /** Names of the two inputs for error messages (file paths, usually). */
  imagesSource?: string;
  labelsSource?: string;
}

/** The ten digit names `'0'…'9'`. */
export const DIGIT_CLASS_NAMES: readonly string[] = Object.freeze([
  '0',
  '1',
  '2',
  '3',
  '4',
  '5',
  '6',
  '7',
  '8',
  '9',
]);

/**
 * Joins an IDX image file and its IDX label file into an `ImageSet` (one channel). Checks that the
 * counts match and every label names a class. Pixels are a view into `imageBytes`, not a copy.
 */
export function readIdxImageSet(
  imageBytes: Uint8Array,
  labelBytes: Uint8Array,
  options: IdxImageSetOptions = {},
): ImageSet {
  const imagesSource = options.imagesSource ?? 'IDX images';
  const labelsSource = options.labelsSource ?? 'IDX labels';
  const images = readIdxImages(imageBytes, imagesSource);
  const labels = readIdxLabels(labelBytes, labelsSource);
  if (labels.length !== images.count) {
    throw new GruDataError(
      'COUNT_MISMATCH',
      `${labelsSource}: holds ${labels.length} labels but ${imagesSource} holds ${images.count} images. ` +
        'Pair each image file with its own label file (train with train, t10k with t10k).',
      { file: labelsSource },
    );
  }
  const classNames = options.classNames ?? DIGIT_CLASS_NAMES;
  checkLabels(labels, classNames.length, labelsSource);
  return {
    count: images.count,
    height: images.height,
    width: images.width,
    channels: 1,
    pixels: images.pixels,
    labels,
    classNames,
  };
}

/** Throws `LABEL_OUT_OF_RANGE` naming the first label outside `[0, classes)`. */
export function checkLabels(labels: Int32Array, classes: number, source: string): void {
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (label < 0 || label >= classes) {
      throw new GruDataError(
        'LABEL_OUT_OF_RANGE',
        `${source}: label ${label} of record ${i} is outside [0, ${classes}) for ${classes} classes. ` +
          'Pass the matching class names (classNames) or fix the label file.',
        { file: source },
      );
    }
  }
}

function header(magic: number, dims: readonly number[]): Uint8Array {
  const out = new Uint8Array(4 + 4 * dims.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, magic, false);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  return out;
}

/**
 * Writes the images of a one-channel set as an IDX image file (magic 2051). Multi-channel sets are
 * refused (IDX image files have no channel axis); convert them with `toChannels` first.
 */
export function writeIdxImages(
  set: Pick<ImageSet, 'count' | 'height' | 'width' | 'channels' | 'pixels'>,
): Uint8Array {
  if (set.channels !== 1) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `writeIdxImages: the set has ${set.channels} channels but IDX image files hold one. ` +
        'Convert it to grayscale first.',
    );
  }
  const size = set.count * set.height * set.width;
  if (set.pixels.length !== size) {
    throw new GruDataError(
      'INVALID_IMAGE_SET',
      `writeIdxImages: pixels holds ${set.pixels.length} bytes, expected ${size}. Build the set from whole images.`,
    );
  }
  const head = header(IDX_IMAGES_MAGIC, [set.count, set.height, set.width]);
  const out = new Uint8Array(head.length + size);
  out.set(head, 0);
  out.set(set.pixels, head.length);
  return out;
}

/** Writes labels as an IDX label file (magic 2049). Each label must fit in a byte. */
export function writeIdxLabels(labels: ArrayLike<number>): Uint8Array {
  const head = header(IDX_LABELS_MAGIC, [labels.length]);
  const out = new Uint8Array(head.length + labels.length);
  out.set(head, 0);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label > 255) {
      throw new GruDataError(
        'LABEL_OUT_OF_RANGE',
        `writeIdxLabels: label ${label} at index ${i} does not fit in an unsigned byte. ` +
          'IDX label files hold labels 0–255.',
      );
    }
    out[head.length + i] = label;
  }
  return out;
}
