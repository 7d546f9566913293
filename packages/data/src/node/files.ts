import { readFile, stat } from 'node:fs/promises';
import { promisify } from 'node:util';
import { gunzip } from 'node:zlib';
import { type CifarOptions, readCifar } from '../cifar';
import { decodeImage } from '../decode-image';
import { GruDataError } from '../errors';
import { type IdxArray, type IdxImageSetOptions, readIdx, readIdxImageSet } from '../idx';
import type { ImageSet } from '../image-set';
import type { RawImage } from '../raw-image';
import { concatImageSets } from '../split';

const gunzipAsync = promisify(gunzip);

/** Reads a whole file, turning file-system failures into `GruDataError`s that name the file. */
export async function readFileBytes(path: string, what = 'file'): Promise<Uint8Array> {
  try {
    const buffer = await readFile(path);
    return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  } catch (error) {
    throw fileError(path, what, error);
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

/** Reads a file, gunzipping it when its bytes are gzip (whatever its name). */
export async function readMaybeGzip(path: string, what = 'file'): Promise<Uint8Array> {
  const bytes = await readFileBytes(path, what);
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  try {
    const out = await gunzipAsync(bytes);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  } catch (error) {
    throw new GruDataError(
      'TRUNCATED',
      `${path}: the gzip data is damaged (${(error as Error).message}). Download the file again.`,
      { file: path, cause: error },
    );
  }
}

/** Reads an IDX file from disk; `.gz` files (any gzip data) are decompressed transparently. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return readIdx(await readMaybeGzip(path, 'IDX file'), path);
}

/** Reads an IDX image file and its label file (each plain or gzip) into one `ImageSet`. */
export async function readIdxDataset(
  imagesPath: string,
  labelsPath: string,
  options: Pick<IdxImageSetOptions, 'classNames'> = {},
): Promise<ImageSet> {
  const [images, labels] = await Promise.all([
    readMaybeGzip(imagesPath, 'IDX image file'),
    readMaybeGzip(labelsPath, 'IDX label file'),
  ]);
  return readIdxImageSet(images, labels, { ...options, imagesSource: imagesPath, labelsSource: labelsPath });
}

/** Reads CIFAR binary batches (e.g. `data_batch_1.bin` … `data_batch_5.bin`) into one set, in order. */
export async function readCifarFiles(
  paths: readonly string[],
  options: Omit<CifarOptions, 'source'>,
): Promise<ImageSet> {
  if (paths.length === 0) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      'readCifarFiles: no files given. Pass the paths of the .bin batches.',
    );
  }
  const files = await Promise.all(paths.map((path) => readMaybeGzip(path, 'CIFAR batch')));
  return concatImageSets(files.map((bytes, i) => readCifar(bytes, { ...options, source: paths[i]! })));
}

/** Reads and decodes one PNG or JPEG file. */
export async function readImageFile(path: string): Promise<RawImage> {
  return decodeImage(await readFileBytes(path, 'image file'), path);
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
