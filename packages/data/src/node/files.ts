import { stat } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';
import { type NonRegularKind, readRegularFile } from '@gruvision/math/node';
import { type CifarOptions, readCifar } from '../cifar';
import { decodeImage } from '../decode-image';
import { GruDataError } from '../errors';
import { type IdxArray, type IdxImageSetOptions, parseIdxHeader, readIdx, readIdxImageSet } from '../idx';
import type { ImageSet } from '../image-set';
import {
  formatBytes,
  type InputLimits,
  maxImageFileBytes,
  type ResolvedLimits,
  resolveLimits,
  tooManyBytes,
} from '../limits';
import type { RawImage } from '../raw-image';
import { concatImageSets } from '../split';

/** What a file-system entry is, in words, when it is not a regular file. */
const KIND_WORDS: Record<NonRegularKind, string> = {
  directory: 'a folder',
  fifo: 'a FIFO (named pipe)',
  socket: 'a socket',
  'character-device': 'a character device',
  'block-device': 'a block device',
  other: 'not a regular file',
};

/**
 * Reads a whole regular file, turning file-system failures into `GruDataError`s that name the file.
 * Only regular files are read (a FIFO, socket or device such as `/dev/zero` is refused without
 * blocking: `readRegularFile` of `@gruvision/math/node` opens it non-blocking and checks it with
 * `fstat`), and never more than `maxBytes` (default 1 GiB): a larger file is refused before anything
 * is read.
 */
export async function readFileBytes(
  path: string,
  what = 'file',
  options: { maxBytes?: number } = {},
): Promise<Uint8Array> {
  const { maxBytes } = resolveLimits(options);
  const read = await readRegularFile(path, { maxBytes });
  if (read.ok) return read.bytes;
  switch (read.problem) {
    case 'open-failed':
    case 'read-failed':
      throw fileError(path, what, read.cause);
    case 'not-regular':
      if (read.kind === 'directory') {
        throw new GruDataError(
          'INVALID_ARGUMENT',
          `${path}: is a folder, not a file. Pass the path of the ${what}.`,
          {
            file: path,
          },
        );
      }
      throw new GruDataError(
        'NOT_A_FILE',
        `${path}: is ${KIND_WORDS[read.kind]}, not a regular file; only regular files are read as ${what}s. ` +
          'Pass a regular file (copy the data into one).',
        { file: path },
      );
    default:
      throw new GruDataError(
        'TOO_LARGE',
        `${path}: the ${what} is ${formatBytes(read.size)}, more than the limit of ${formatBytes(maxBytes)}. ` +
          'If the file is what you expect, raise the limit (option maxBytes; gruvision: --max-input-size).',
        { file: path },
      );
  }
}

export function fileError(path: string, what: string, error: unknown): GruDataError {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT') {
    return new GruDataError('NOT_FOUND', `${path}: ${what} not found. Check the path.`, {
      file: path,
      cause: error,
    });
  }
  if (code === 'EISDIR') {
    return new GruDataError(
      'INVALID_ARGUMENT',
      `${path}: is a folder, not a file. Pass the path of the ${what}.`,
      {
        file: path,
        cause: error,
      },
    );
  }
  if (code === 'ELOOP') {
    return new GruDataError(
      'LINK_CYCLE',
      `${path}: the ${what} is a symbolic link that loops (or a chain of too many links). Replace it with the file it should name.`,
      { file: path, cause: error },
    );
  }
  const reason = error instanceof Error ? error.message : String(error);
  return new GruDataError(
    'NOT_FOUND',
    `${path}: cannot read the ${what} (${reason}). Check the path and its permissions.`,
    {
      file: path,
      cause: error,
    },
  );
}

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

function damagedGzip(path: string, error: unknown): GruDataError {
  // zlib's own messages ("unexpected end of file", "incorrect header check") are about the data.
  const zlib = /^Z_/.test(String((error as NodeJS.ErrnoException | undefined)?.code));
  const reason = zlib ? (error as Error).message : 'damaged or truncated';
  return new GruDataError(
    'TRUNCATED',
    `${path}: the gzip data is damaged (${reason}). Download the file again.`,
    { file: path, cause: error },
  );
}

/**
 * Inflates gzip `bytes` (all members) as a stream, handing each output chunk (16 KiB) to `take`,
 * which may throw to stop: what was not yet inflated never is.
 */
async function gunzipStream(
  bytes: Uint8Array,
  path: string,
  take: (chunk: Uint8Array) => void,
): Promise<void> {
  const gunzip = createGunzip();
  gunzip.end(bytes);
  try {
    for await (const chunk of gunzip as AsyncIterable<Buffer>) take(chunk);
  } catch (error) {
    if (GruDataError.isInstance(error)) throw error;
    throw damagedGzip(path, error);
  } finally {
    gunzip.destroy();
  }
}

function concat(parts: readonly Uint8Array[], total: number): Uint8Array {
  const out = new Uint8Array(total);
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * Reads a file, gunzipping it when its bytes are gzip (whatever its name). Neither the file nor its
 * inflated data may exceed `maxBytes` (default 1 GiB): inflation stops at the limit.
 */
export async function readMaybeGzip(
  path: string,
  what = 'file',
  limits: InputLimits = {},
): Promise<Uint8Array> {
  const resolved = resolveLimits(limits);
  const bytes = await readFileBytes(path, what, resolved);
  if (!isGzip(bytes)) return bytes;
  const parts: Uint8Array[] = [];
  let total = 0;
  await gunzipStream(bytes, path, (chunk) => {
    total += chunk.length;
    if (total > resolved.maxBytes) {
      throw new GruDataError(
        'TOO_LARGE',
        `${path}: the gzip data inflates to more than the limit of ${formatBytes(resolved.maxBytes)} ` +
          `(from ${formatBytes(bytes.length)}); stopped there. If the file is what you expect, raise the ` +
          'limit (option maxBytes; gruvision: --max-input-size).',
        { file: path },
      );
    }
    parts.push(chunk);
  });
  return concat(parts, total);
}

/**
 * Inflates a gzip IDX file as a stream: once the header is in, the data it declares is checked
 * against `maxBytes` and given its exact buffer; inflating past it stops at once (`TOO_LARGE`), so a
 * small file that inflates to gigabytes costs no more than its header promised.
 */
async function gunzipIdx(bytes: Uint8Array, path: string, limits: ResolvedLimits): Promise<Uint8Array> {
  let head = new Uint8Array(0);
  let out: Uint8Array | undefined;
  let filled = 0;
  await gunzipStream(bytes, path, (chunk) => {
    if (out === undefined) {
      const joined = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      head = joined;
      const header = parseIdxHeader(head, path);
      if (header === undefined) return;
      if (header.size > limits.maxBytes) {
        throw tooManyBytes(path, `the header declares ${header.dims.join('×')} =`, header.size, limits);
      }
      out = new Uint8Array(header.headerLength + header.size);
      chunk = head;
    }
    if (filled + chunk.length > out.length) {
      throw new GruDataError(
        'TOO_LARGE',
        `${path}: the gzip data inflates to more than the ${formatBytes(out.length)} its IDX header declares ` +
          `(from ${formatBytes(bytes.length)}); stopped there. The file is corrupt or built to exhaust ` +
          'memory; download or extract it again.',
        { file: path },
      );
    }
    out.set(chunk, filled);
    filled += chunk.length;
  });
  return out === undefined ? head : out.subarray(0, filled);
}

/**
 * Reads an IDX file from disk; `.gz` files (any gzip data) are decompressed as a stream, never past
 * the size the header declares. The file, and the data its header declares, may not exceed
 * `maxBytes` (default 1 GiB).
 */
export async function readIdxFile(path: string, limits: InputLimits = {}): Promise<IdxArray> {
  return readIdx(await readIdxBytes(path, 'IDX file', resolveLimits(limits)), path);
}

async function readIdxBytes(path: string, what: string, limits: ResolvedLimits): Promise<Uint8Array> {
  const bytes = await readFileBytes(path, what, limits);
  return isGzip(bytes) ? gunzipIdx(bytes, path, limits) : bytes;
}

/** Reads an IDX image file and its label file (each plain or gzip) into one `ImageSet`. */
export async function readIdxDataset(
  imagesPath: string,
  labelsPath: string,
  options: Pick<IdxImageSetOptions, 'classNames'> & InputLimits = {},
): Promise<ImageSet> {
  const limits = resolveLimits(options);
  const [images, labels] = await Promise.all([
    readIdxBytes(imagesPath, 'IDX image file', limits),
    readIdxBytes(labelsPath, 'IDX label file', limits),
  ]);
  const classNames = options.classNames;
  return readIdxImageSet(images, labels, {
    ...(classNames ? { classNames } : {}),
    imagesSource: imagesPath,
    labelsSource: labelsPath,
  });
}

/** Reads CIFAR binary batches (e.g. `data_batch_1.bin` … `data_batch_5.bin`) into one set, in order. */
export async function readCifarFiles(
  paths: readonly string[],
  options: Omit<CifarOptions, 'source'> & InputLimits,
): Promise<ImageSet> {
  if (paths.length === 0) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      'readCifarFiles: no files given. Pass the paths of the .bin batches.',
    );
  }
  const { maxPixels: _pixels, maxBytes, ...cifar } = options;
  const limits = maxBytes === undefined ? {} : { maxBytes };
  const files = await Promise.all(paths.map((path) => readMaybeGzip(path, 'CIFAR batch', limits)));
  return concatImageSets(files.map((bytes, i) => readCifar(bytes, { ...cifar, source: paths[i]! })));
}

/**
 * Reads and decodes one PNG or JPEG file: a regular file of at most 8 bytes per allowed pixel
 * (+16 MiB), whose header declares at most `maxPixels` pixels (default 50 megapixels).
 */
export async function readImageFile(path: string, limits: InputLimits = {}): Promise<RawImage> {
  const resolved = resolveLimits(limits);
  const bytes = await readFileBytes(path, 'image file', { maxBytes: maxImageFileBytes(resolved) });
  return decodeImage(bytes, path, resolved);
}

/** True when `path` exists and is a file. */
export async function isFile(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

/** True when `path` exists and is a folder. */
export async function isDirectory(path: string): Promise<boolean> {
  try {
    return (await stat(path)).isDirectory();
  } catch {
    return false;
  }
}
