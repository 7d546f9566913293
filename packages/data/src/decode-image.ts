import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { decode as decodeJpeg } from 'jpeg-js';
import { GruDataError } from './errors';
import type { RawImage } from './raw-image';

/** The container formats `decodeImage` recognises by their first bytes. */
export type ImageFormat = 'png' | 'jpeg' | 'gif' | 'bmp' | 'webp' | 'tiff' | 'unknown';

function startsWith(bytes: Uint8Array, prefix: readonly number[], at = 0): boolean {
  if (bytes.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[at + i] !== prefix[i]) return false;
  return true;
}

/** Sniffs the image format from the file's first bytes (the extension is not trusted). */
export function detectImageFormat(bytes: Uint8Array): ImageFormat {
  if (startsWith(bytes, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'png';
  if (startsWith(bytes, [0xff, 0xd8, 0xff])) return 'jpeg';
  if (startsWith(bytes, [0x47, 0x49, 0x46, 0x38])) return 'gif';
  if (startsWith(bytes, [0x42, 0x4d])) return 'bmp';
  if (startsWith(bytes, [0x52, 0x49, 0x46, 0x46]) && startsWith(bytes, [0x57, 0x45, 0x42, 0x50], 8))
    return 'webp';
  if (startsWith(bytes, [0x49, 0x49, 0x2a, 0x00]) || startsWith(bytes, [0x4d, 0x4d, 0x00, 0x2a]))
    return 'tiff';
  return 'unknown';
}

function describeStart(bytes: Uint8Array): string {
  if (bytes.length === 0) return 'it is empty';
  const head = Array.from(bytes.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
  return `it starts with bytes ${head}`;
}

/**
 * Decodes a PNG (any bit depth, palette, gray, alpha; via fast-png) or a baseline/progressive JPEG
 * (via jpeg-js) into 8-bit HWC pixels, keeping the file's own channels (gray 1, gray+alpha 2, RGB 3,
 * RGBA 4; JPEGs decode to RGB). Other formats are refused with an error that names `source`.
 * Pure JavaScript: works in browsers and workers too.
 */
export function decodeImage(bytes: Uint8Array, source = 'image'): RawImage {
  const format = detectImageFormat(bytes);
  if (format === 'png') return decodePngImage(bytes, source);
  if (format === 'jpeg') return decodeJpegImage(bytes, source);
  if (format === 'unknown') {
    throw new GruDataError(
      'UNSUPPORTED_FORMAT',
      `${source}: not a PNG or JPEG image (${describeStart(bytes)}). Convert it to PNG or JPEG, or remove ` +
        'it (readImageFolder skips such files with skipInvalid: true).',
      { file: source },
    );
  }
  throw new GruDataError(
    'UNSUPPORTED_FORMAT',
    `${source}: ${format.toUpperCase()} images are not supported; only PNG and JPEG are. Convert it to ` +
      'PNG or JPEG (readImageFolder skips such files with skipInvalid: true).',
    { file: source },
  );
}

function decodeFailed(source: string, format: string, cause: unknown): GruDataError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  return new GruDataError(
    'DECODE_FAILED',
    `${source}: the ${format} data is corrupt and cannot be decoded (${reason}). Re-export or replace the ` +
      'file, or skip it (readImageFolder: skipInvalid: true).',
    { file: source, cause },
  );
}

function decodePngImage(bytes: Uint8Array, source: string): RawImage {
  let png: ReturnType<typeof decodePng>;
  let pixels: Uint8Array;
  let channels: number;
  try {
    png = decodePng(bytes);
    if (png.palette) {
      pixels = convertIndexedToRgb(png);
      channels = png.palette[0]?.length ?? 3;
    } else {
      channels = png.channels;
      pixels = unpack(png.data, png.width, png.height, png.channels, png.depth);
    }
  } catch (error) {
    throw decodeFailed(source, 'PNG', error);
  }
  if (pixels.length !== png.width * png.height * channels) {
    throw decodeFailed(
      source,
      'PNG',
      new Error(`pixel data has ${pixels.length} bytes, not ${png.width}×${png.height}×${channels}`),
    );
  }
  return { width: png.width, height: png.height, channels, pixels };
}

/** fast-png returns 16-bit samples as Uint16Array and packs 1/2/4-bit rows; bring all to 8 bits. */
function unpack(
  data: Uint8Array | Uint8ClampedArray | Uint16Array,
  width: number,
  height: number,
  channels: number,
  depth: number,
): Uint8Array {
  if (depth === 8)
    return data instanceof Uint8Array ? data : new Uint8Array(data.buffer, data.byteOffset, data.length);
  if (depth === 16) {
    const out = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) out[i] = data[i]! >>> 8;
    return out;
  }
  const samplesPerRow = width * channels;
  const bytesPerRow = Math.ceil((samplesPerRow * depth) / 8);
  const maxValue = (1 << depth) - 1;
  const out = new Uint8Array(samplesPerRow * height);
  for (let y = 0; y < height; y++) {
    for (let s = 0; s < samplesPerRow; s++) {
      const bit = s * depth;
      const byte = data[y * bytesPerRow + (bit >>> 3)]!;
      const value = (byte >>> (8 - depth - (bit & 7))) & maxValue;
      out[y * samplesPerRow + s] = Math.round((value * 255) / maxValue);
    }
  }
  return out;
}

function decodeJpegImage(bytes: Uint8Array, source: string): RawImage {
  try {
    const jpeg = decodeJpeg(bytes, { useTArray: true, formatAsRGBA: false });
    return { width: jpeg.width, height: jpeg.height, channels: 3, pixels: jpeg.data };
  } catch (error) {
    throw decodeFailed(source, 'JPEG', error);
  }
}
