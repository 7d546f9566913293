import { GruDataError } from './errors';

/**
 * How much one input may ask for. Inputs that are small on disk can be huge to process (a 380 KB
 * PNG of 20000×20000 pixels, a gzip file that inflates to gigabytes); the readers check the sizes an
 * input declares against these limits before they allocate, and refuse with a `TOO_LARGE` error
 * that names the limit. Raise a limit on purpose for inputs you trust.
 */
export interface InputLimits {
  /**
   * Largest image, in pixels (width × height), that is decoded. Checked against the PNG or JPEG
   * header before decoding. Default {@link DEFAULT_MAX_PIXELS} (50 megapixels).
   */
  maxPixels?: number;
  /**
   * Largest block of bytes one input may take: a file read from disk, the data of a decompressed
   * IDX or CIFAR file, the pixels of a whole dataset. Default {@link DEFAULT_MAX_BYTES} (1 GiB).
   */
  maxBytes?: number;
}

/** 50 megapixels: an 8K frame (33 MP) or a 48 MP phone photo fits; a 20000×20000 PNG does not. */
export const DEFAULT_MAX_PIXELS = 50_000_000;
/** 1 GiB: MNIST (55 MB), CIFAR-100 (185 MB) and 300 000 CIFAR-sized images fit. */
export const DEFAULT_MAX_BYTES = 1024 ** 3;

/** Resolved limits: both set, both checked to be positive whole numbers. */
export interface ResolvedLimits {
  readonly maxPixels: number;
  readonly maxBytes: number;
}

function checkLimit(name: string, value: number | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  if (!Number.isSafeInteger(value) || value < 1) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `${name} ${String(value)} is not a positive whole number. Pass a limit such as ${fallback}.`,
    );
  }
  return value;
}

/** Fills in the defaults and checks the values. */
export function resolveLimits(limits: InputLimits = {}): ResolvedLimits {
  return {
    maxPixels: checkLimit('maxPixels', limits.maxPixels, DEFAULT_MAX_PIXELS),
    maxBytes: checkLimit('maxBytes', limits.maxBytes, DEFAULT_MAX_BYTES),
  };
}

/**
 * Largest image file read from disk: a PNG of `maxPixels` pixels stored uncompressed at 16-bit
 * RGBA takes 8 bytes a pixel; 16 MiB more for metadata. Never more than `maxBytes`.
 */
export function maxImageFileBytes(limits: ResolvedLimits): number {
  return Math.min(limits.maxBytes, 8 * limits.maxPixels + 16 * 1024 ** 2);
}

/** `1 073 741 824` → `1 GiB`, `7 856` → `7856 bytes`: sizes for messages. */
export function formatBytes(bytes: number): string {
  const units = ['KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
  if (bytes < 1024) return `${bytes} bytes`;
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  const text = value >= 100 || Number.isInteger(value) ? value.toFixed(0) : value.toPrecision(3);
  return `${text} ${units[unit]}`;
}

/** The `TOO_LARGE` error for an input that declares more bytes than `maxBytes`. */
export function tooManyBytes(
  source: string,
  what: string,
  bytes: number,
  limits: ResolvedLimits,
): GruDataError {
  return new GruDataError(
    'TOO_LARGE',
    `${source}: ${what} ${formatBytes(bytes)}, more than the limit of ${formatBytes(limits.maxBytes)}. ` +
      'If the data is what you expect, raise the limit (option maxBytes; gruvision: --max-input-size).',
    { file: source },
  );
}
