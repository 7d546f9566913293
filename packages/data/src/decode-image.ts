import { convertIndexedToRgb, decode as decodePng } from 'fast-png';
import { Unzlib } from 'fflate';
import { decode as decodeJpeg } from 'jpeg-js';
import { GruDataError } from './errors';
import { type InputLimits, resolveLimits } from './limits';
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

/** Options of {@link decodeImage}. */
export interface DecodeImageOptions extends Pick<InputLimits, 'maxPixels'> {}

/** Width and height an image file declares in its header, before anything is decoded. */
export interface ImageHeader {
  readonly format: 'png' | 'jpeg';
  readonly width: number;
  readonly height: number;
}

/**
 * Decodes a PNG (any bit depth, palette, gray, alpha; via fast-png) or a baseline/progressive JPEG
 * (via jpeg-js) into 8-bit HWC pixels, keeping the file's own channels (gray 1, gray+alpha 2, RGB 3,
 * RGBA 4; JPEGs decode to RGB). Other formats are refused with an error that names `source`.
 * The size the header declares is checked against `maxPixels` (default 50 megapixels) before any
 * pixel is decoded, and a PNG's compressed data may not inflate past what that size needs.
 * Every failure is a `GruDataError` about `source`; the result always has width, height ≥ 1 and
 * 1–4 channels. Pure JavaScript: works in browsers and workers too.
 */
export function decodeImage(bytes: Uint8Array, source = 'image', options: DecodeImageOptions = {}): RawImage {
  const { maxPixels } = resolveLimits(options);
  const format = detectImageFormat(bytes);
  if (format === 'png') return decodePngImage(bytes, source, maxPixels);
  if (format === 'jpeg') return decodeJpegImage(bytes, source, maxPixels);
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

/**
 * Reads the width and height a PNG or JPEG declares, without decoding it (`undefined` for other
 * formats). Throws `DECODE_FAILED` when the header is missing or damaged.
 */
export function readImageHeader(bytes: Uint8Array, source = 'image'): ImageHeader | undefined {
  const format = detectImageFormat(bytes);
  if (format === 'png') {
    const { width, height } = scanPng(bytes, source).header;
    return { format, width, height };
  }
  if (format === 'jpeg') return { format, ...scanJpeg(bytes, source) };
  return undefined;
}

const REFUSE_HINT = 'Re-export or replace the file, or skip it (readImageFolder: skipInvalid: true).';

/** A decoder failure as a message about the file; the decoder's own error stays in `cause`. */
function decodeFailed(source: string, problem: string, cause?: unknown): GruDataError {
  return new GruDataError('DECODE_FAILED', `${source}: ${problem} ${REFUSE_HINT}`, {
    file: source,
    ...(cause === undefined ? {} : { cause }),
  });
}

function checkPixels(source: string, format: string, width: number, height: number, maxPixels: number): void {
  if (width < 1 || height < 1) {
    throw decodeFailed(
      source,
      `the ${format} header declares a ${width}×${height} image, which has no pixels; the file is damaged.`,
    );
  }
  if (width * height > maxPixels) {
    throw new GruDataError(
      'TOO_LARGE',
      `${source}: the ${format} image is ${width}×${height} = ${(width * height).toLocaleString('en-US')} ` +
        `pixels, more than the limit of ${maxPixels.toLocaleString('en-US')}. Shrink it first, or raise the ` +
        'limit if you trust the file (option maxPixels; gruvision: --max-pixels).',
      { file: source },
    );
  }
}

/** The decoded image, checked: whole positive sizes, 1–4 channels, exactly h·w·c bytes. */
function checked(image: RawImage, source: string, format: string): RawImage {
  const { width, height, channels, pixels } = image;
  const ok =
    Number.isInteger(width) &&
    Number.isInteger(height) &&
    width >= 1 &&
    height >= 1 &&
    Number.isInteger(channels) &&
    channels >= 1 &&
    channels <= 4 &&
    pixels instanceof Uint8Array &&
    pixels.length === width * height * channels;
  if (!ok) {
    throw decodeFailed(
      source,
      `the ${format} file decodes to an inconsistent image (${width}×${height}, ${channels} channel(s), ` +
        `${pixels?.length} bytes); the file is damaged.`,
    );
  }
  return image;
}

interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlace: number;
}

const PNG_CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const PNG_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

function u32(bytes: Uint8Array, at: number): number {
  return ((bytes[at]! << 24) | (bytes[at + 1]! << 16) | (bytes[at + 2]! << 8) | bytes[at + 3]!) >>> 0;
}

function chunkName(bytes: Uint8Array, at: number): string {
  return String.fromCharCode(bytes[at]!, bytes[at + 1]!, bytes[at + 2]!, bytes[at + 3]!);
}

/**
 * Walks a PNG's chunks without decoding: checks the one IHDR (first chunk) and that every chunk
 * fits in the file; returns the header, the IDAT payloads and whether an iCCP chunk is present.
 */
function scanPng(
  bytes: Uint8Array,
  source: string,
): { header: PngHeader; idat: Uint8Array[]; iccp: Array<[number, number]> } {
  const damaged = (what: string): GruDataError => decodeFailed(source, `the PNG file is damaged (${what}).`);
  let at = 8;
  let header: PngHeader | undefined;
  const idat: Uint8Array[] = [];
  const iccp: Array<[number, number]> = [];
  for (;;) {
    if (at + 8 > bytes.length) throw damaged('it ends before its IEND chunk; the file is truncated');
    const length = u32(bytes, at);
    const type = chunkName(bytes, at + 4);
    if (length > 0x7fffffff || at + 12 + length > bytes.length) {
      throw damaged(`chunk '${printable(type)}' at byte ${at} runs past the end of the file`);
    }
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (header === undefined) {
      if (type !== 'IHDR' || length !== 13) throw damaged('the first chunk is not a 13-byte IHDR header');
      header = {
        width: u32(data, 0),
        height: u32(data, 4),
        depth: data[8]!,
        colorType: data[9]!,
        interlace: data[12]!,
      };
      if (header.width > 0x7fffffff || header.height > 0x7fffffff) {
        throw damaged(`the header declares ${header.width}×${header.height} pixels, beyond the PNG maximum`);
      }
      const depths = PNG_DEPTHS[header.colorType];
      if (!depths) throw damaged(`unknown colour type ${header.colorType}`);
      if (!depths.includes(header.depth)) {
        throw damaged(`bit depth ${header.depth} is not allowed for colour type ${header.colorType}`);
      }
      if (header.interlace > 1) throw damaged(`unknown interlace method ${header.interlace}`);
    } else if (type === 'IHDR') {
      throw damaged(`a second IHDR header at byte ${at}`);
    } else if (type === 'IDAT') {
      idat.push(data);
    } else if (type === 'iCCP') {
      iccp.push([at, 12 + length]);
    } else if (type === 'IEND') {
      break;
    }
    at += 12 + length;
  }
  if (header === undefined) throw damaged('no IHDR header');
  return { header, idat, iccp };
}

function printable(name: string): string {
  return /^[A-Za-z]{4}$/.test(name) ? name : 'unnamed';
}

/**
 * Inflates the IDAT stream in small slices, discarding the output, and stops as soon as it grows past
 * `limit` bytes: a few hundred kilobytes of zlib data can inflate to gigabytes.
 */
function inflatedSizeWithin(idat: readonly Uint8Array[], limit: number): boolean {
  let total = 0;
  let over = false;
  const inflater = new Unzlib((chunk) => {
    total += chunk.length;
    if (total > limit) over = true;
  });
  const slice = 1024; // at most ~1 MiB of output per push (deflate expands at most 1032:1)
  for (const data of idat) {
    for (let at = 0; at < data.length && !over; at += slice) {
      inflater.push(data.subarray(at, Math.min(data.length, at + slice)), false);
    }
    if (over) return false;
  }
  return !over;
}

/** The PNG bytes without the given chunks (we never use colour profiles; an iCCP chunk can be a bomb). */
function withoutChunks(bytes: Uint8Array, chunks: ReadonlyArray<[number, number]>): Uint8Array {
  const out = new Uint8Array(bytes.length - chunks.reduce((n, [, length]) => n + length, 0));
  let from = 0;
  let to = 0;
  for (const [at, length] of chunks) {
    out.set(bytes.subarray(from, at), to);
    to += at - from;
    from = at + length;
  }
  out.set(bytes.subarray(from), to);
  return out;
}

function decodePngImage(bytes: Uint8Array, source: string, maxPixels: number): RawImage {
  const { header, idat, iccp } = scanPng(bytes, source);
  checkPixels(source, 'PNG', header.width, header.height, maxPixels);
  const bitsPerPixel = PNG_CHANNELS[header.colorType]! * header.depth;
  // Filtered rows: one filter byte per row (Adam7 has at most 2.25·height + 7 rows over its passes).
  const needed = Math.ceil((header.width * header.height * bitsPerPixel) / 8) + 6 * header.height + 64;
  try {
    if (!inflatedSizeWithin(idat, needed)) {
      throw decodeFailed(
        source,
        `the PNG image data inflates to more than the ${header.width}×${header.height} image needs ` +
          `(at most ${needed} bytes); the file is damaged or built to exhaust memory.`,
      );
    }
  } catch (error) {
    if (GruDataError.isInstance(error)) throw error;
    throw decodeFailed(source, 'the PNG image data is not valid zlib data; the file is damaged.', error);
  }
  let png: ReturnType<typeof decodePng>;
  let pixels: Uint8Array;
  let channels: number;
  try {
    png = decodePng(iccp.length > 0 ? withoutChunks(bytes, iccp) : bytes);
    if (png.palette) {
      pixels = convertIndexedToRgb(png);
      channels = png.palette[0]?.length ?? 3;
    } else {
      channels = png.channels;
      pixels = unpack(png.data, png.width, png.height, png.channels, png.depth);
    }
  } catch (error) {
    throw decodeFailed(
      source,
      `the PNG data is corrupt or truncated and cannot be decoded${decoderReason(error)}.`,
      error,
    );
  }
  return checked({ width: png.width, height: png.height, channels, pixels }, source, 'PNG');
}

/**
 * The decoder's own reason when it wrote one for people ("unknown JPEG marker ff3c"); nothing for the
 * engine's internal errors ("Offset is outside the bounds of the DataView"), which say nothing about
 * the file.
 */
function decoderReason(error: unknown): string {
  if (!(error instanceof Error) || error.constructor !== Error) return '';
  const message = error.message.replace(/[:\s]+$/, '');
  if (message === '' || message.length > 160 || [...message].some((c) => c.charCodeAt(0) < 0x20)) return '';
  // "Unsupported filter: undefined", "Cannot read properties of null": the decoder's state leaking.
  if (/undefined|null|NaN|DataView|typed array|Cannot |is not /i.test(message)) return '';
  return ` (decoder: ${message})`;
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

/** The frame size a JPEG declares in its SOF marker (the first one before the first scan). */
function scanJpeg(bytes: Uint8Array, source: string): { width: number; height: number } {
  const damaged = (what: string): GruDataError => decodeFailed(source, `the JPEG file is damaged (${what}).`);
  let at = 2;
  for (;;) {
    while (at < bytes.length && bytes[at] === 0xff && bytes[at + 1] === 0xff) at++;
    if (at + 4 > bytes.length) throw damaged('it ends before its frame header; the file is truncated');
    if (bytes[at] !== 0xff) throw damaged(`no marker at byte ${at}`);
    const marker = bytes[at + 1]!;
    if (marker === 0x01 || (marker >= 0xd0 && marker <= 0xd7)) {
      at += 2;
      continue;
    }
    if (marker === 0xd9 || marker === 0xda) throw damaged('no frame header (SOF) before the image data');
    const length = (bytes[at + 2]! << 8) | bytes[at + 3]!;
    if (length < 2 || at + 2 + length > bytes.length) {
      throw damaged(`marker ff${marker.toString(16)} at byte ${at} runs past the end of the file`);
    }
    const isFrame = marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc;
    if (isFrame) {
      if (length < 8) throw damaged('the frame header is too short');
      const height = (bytes[at + 5]! << 8) | bytes[at + 6]!;
      const width = (bytes[at + 7]! << 8) | bytes[at + 8]!;
      return { width, height };
    }
    at += 2 + length;
  }
}

function decodeJpegImage(bytes: Uint8Array, source: string, maxPixels: number): RawImage {
  const { width, height } = scanJpeg(bytes, source);
  checkPixels(source, 'JPEG', width, height, maxPixels);
  let jpeg: { width: number; height: number; data: Uint8Array };
  try {
    jpeg = decodeJpeg(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      // jpeg-js's own guards, in step with ours: the pixels, and its component and output buffers.
      maxResolutionInMP: maxPixels / 1e6,
      maxMemoryUsageInMB: Math.max(64, Math.ceil((maxPixels * 16) / 1024 ** 2)),
    });
  } catch (error) {
    throw decodeFailed(
      source,
      `the JPEG data is corrupt or truncated and cannot be decoded${decoderReason(error)}.`,
      error,
    );
  }
  return checked({ width: jpeg.width, height: jpeg.height, channels: 3, pixels: jpeg.data }, source, 'JPEG');
}
