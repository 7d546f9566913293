/**
 * A tiny binary format for the image sets the page ships as static files (the MNIST training
 * subset of the "train in the browser" tab, the Fashion-MNIST gallery):
 *
 * ```
 * bytes 0..3   "GVIP"
 * bytes 4..15  count, height, width   (uint32 little-endian each)
 * then         count labels (uint8), then count·height·width grayscale pixels (uint8, row-major)
 * ```
 */
export interface ImagePack {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly labels: Uint8Array;
  readonly pixels: Uint8Array;
}

const MAGIC = 'GVIP';
const HEADER = 16;

/** Thrown when a static image pack is not what the page expects. */
export class ImagePackError extends Error {
  readonly code = 'INVALID_IMAGE_PACK';
  constructor(message: string) {
    super(message);
    this.name = 'ImagePackError';
  }
}

export function encodeImagePack(pack: ImagePack): Uint8Array {
  const size = pack.count * pack.height * pack.width;
  if (pack.labels.length !== pack.count || pack.pixels.length !== size) {
    throw new ImagePackError(
      `An image pack of ${pack.count} images of ${pack.height}×${pack.width} needs ${pack.count} labels and ${size} pixels, ` +
        `got ${pack.labels.length} and ${pack.pixels.length}.`,
    );
  }
  const out = new Uint8Array(HEADER + pack.count + size);
  const view = new DataView(out.buffer);
  for (let i = 0; i < 4; i++) out[i] = MAGIC.charCodeAt(i);
  view.setUint32(4, pack.count, true);
  view.setUint32(8, pack.height, true);
  view.setUint32(12, pack.width, true);
  out.set(pack.labels, HEADER);
  out.set(pack.pixels, HEADER + pack.count);
  return out;
}

/** Reads an image pack; `source` names the file in error messages. */
export function decodeImagePack(bytes: Uint8Array, source = 'image pack'): ImagePack {
  const magic = String.fromCharCode(...bytes.subarray(0, 4));
  if (bytes.length < HEADER || magic !== MAGIC) {
    throw new ImagePackError(
      `${source} is not an image pack (it does not start with "${MAGIC}"). Rebuild it with the script in apps/web/scripts/.`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const count = view.getUint32(4, true);
  const height = view.getUint32(8, true);
  const width = view.getUint32(12, true);
  const expected = HEADER + count + count * height * width;
  if (bytes.length !== expected) {
    throw new ImagePackError(
      `${source} holds ${bytes.length} bytes but its header (${count} images of ${height}×${width}) needs ${expected} bytes. ` +
        'The file is truncated or stale: rebuild it.',
    );
  }
  return {
    count,
    height,
    width,
    labels: bytes.subarray(HEADER, HEADER + count),
    pixels: bytes.subarray(HEADER + count, expected),
  };
}

/** The pixels of image `index` of a pack. */
export function packImage(pack: ImagePack, index: number): Uint8Array {
  const size = pack.height * pack.width;
  return pack.pixels.subarray(index * size, (index + 1) * size);
}
