import type { Dirent } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeImage } from '../decode-image';
import { GruDataError } from '../errors';
import type { ImageSet } from '../image-set';
import { type InputLimits, maxImageFileBytes, resolveLimits, tooManyBytes } from '../limits';
import { fitImage, type RawImage } from '../raw-image';
import { fileError, readFileBytes } from './files';

/**
 * Options of {@link readImageFolder}. `maxPixels` bounds each image (checked in its header before
 * decoding), `maxBytes` each file and the pixels of the whole set (see {@link InputLimits}).
 */
export interface ImageFolderOptions extends InputLimits {
  /** Target height; default: the first image's. Images of other sizes are resized (aspect not kept). */
  height?: number;
  /** Target width; default: the first image's. */
  width?: number;
  /** Target channels: 1 gray, 3 RGB, 4 RGBA. Default: 1 if the first image is gray, else 3. */
  channels?: 1 | 3 | 4;
  /** Skip files that cannot be read or decoded and report them instead of failing. Default false. */
  skipInvalid?: boolean;
  /**
   * Use this class list (and its label numbering) instead of the sub-folders' sorted names; every
   * sub-folder must be one of them. A test folder passes the training folder's classes this way.
   */
  classNames?: readonly string[];
  /**
   * Turns each decoded image into the set's shape, in place of the plain resize (`fitImage`): an app's
   * own preprocessing, e.g. the CLI's `predict` pipeline. It must return images of `height`×`width`×
   * `channels`; give all three with it.
   */
  prepare?: (image: RawImage, file: string) => RawImage;
}

/** A file `readImageFolder` skipped, and why. */
export interface SkippedFile {
  file: string;
  reason: string;
}

/** What {@link readImageFolder} returns. */
export interface ImageFolderResult {
  set: ImageSet;
  skipped: SkippedFile[];
}

function isHidden(name: string): boolean {
  return name.startsWith('.');
}

async function entries(dir: string): Promise<Dirent[]> {
  try {
    return await readdir(dir, { withFileTypes: true });
  } catch (error) {
    throw fileError(dir, 'folder', error);
  }
}

/** The folder an entry is or links to (its identity, for cycle checks), or undefined for anything else. */
async function folderOf(dir: string, entry: Dirent): Promise<{ id: string } | undefined> {
  if (!entry.isDirectory() && !entry.isSymbolicLink()) return undefined;
  const info = await stat(join(dir, entry.name)).catch(() => undefined);
  return info?.isDirectory() ? { id: `${info.dev}:${info.ino}` } : undefined;
}

/**
 * Folders already read, by device and inode: each real folder is read once, so symbolic links can
 * neither loop (a link to an ancestor) nor multiply the work (two links to the same folder).
 */
type Visited = Map<string, string>;

function linkCycle(path: string, first: string): GruDataError {
  return new GruDataError(
    'LINK_CYCLE',
    `${path}: links to the folder already read as ${first}; following it would read the same images ` +
      'again (or loop forever). Remove the link, or replace it with a copy.',
    { file: path },
  );
}

/**
 * All non-hidden files under `dir`, recursively, sorted by path (code-unit order, as Python's
 * `sorted`). Links to folders are followed once; a link back to a folder already read is a
 * `LINK_CYCLE` error (or, with `skipped`, skipped and reported).
 */
async function listFiles(
  dir: string,
  visited: Visited,
  skipped: SkippedFile[] | undefined,
): Promise<string[]> {
  const files: string[] = [];
  for (const entry of await entries(dir)) {
    if (isHidden(entry.name)) continue;
    const path = join(dir, entry.name);
    const folder = await folderOf(dir, entry);
    if (folder === undefined) {
      files.push(path);
      continue;
    }
    const first = visited.get(folder.id);
    if (first !== undefined) {
      const error = linkCycle(path, first);
      if (!skipped) throw error;
      skipped.push({ file: path, reason: error.message });
      continue;
    }
    visited.set(folder.id, path);
    files.push(...(await listFiles(path, visited, skipped)));
  }
  return files.sort(compareNames);
}

function compareNames(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

const LAYOUT_HINT =
  'An image folder holds one sub-folder per class, each with its PNG or JPEG images (dir/cat/001.png).';

/**
 * Reads a folder of images with torchvision `ImageFolder` semantics: each sub-folder is a class,
 * classes are sorted by name (code-unit order) and numbered from 0, images are all files under a
 * class folder (recursively, sorted by path). Hidden entries (`.name`) and files directly in `dir`
 * are ignored. Every other file must be a PNG or JPEG: an unreadable file is an error naming it,
 * unless `skipInvalid` is set, which skips it and reports it in `skipped`. Images are converted to
 * the target channels and resized to the target size (see {@link ImageFolderOptions}).
 */
export async function readImageFolder(
  dir: string,
  options: ImageFolderOptions = {},
): Promise<ImageFolderResult> {
  const info = await stat(dir).catch((error: unknown) => {
    throw (error as NodeJS.ErrnoException).code === 'ENOENT'
      ? new GruDataError('NOT_FOUND', `${dir}: folder not found. Check the path. ${LAYOUT_HINT}`, {
          file: dir,
          cause: error,
        })
      : fileError(dir, 'folder', error);
  });
  if (!info.isDirectory()) {
    throw new GruDataError('NOT_FOUND', `${dir}: is a file, not a folder. ${LAYOUT_HINT}`, { file: dir });
  }
  if (
    options.prepare &&
    (options.height === undefined || options.width === undefined || options.channels === undefined)
  ) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `readImageFolder('${dir}'): prepare needs the target height, width and channels too; pass all three.`,
    );
  }
  const limits = resolveLimits(options);
  const classFolders: string[] = [];
  const folderIds = new Map<string, string>();
  for (const entry of await entries(dir)) {
    if (isHidden(entry.name)) continue;
    const folder = await folderOf(dir, entry);
    if (folder === undefined) continue;
    classFolders.push(entry.name);
    folderIds.set(entry.name, folder.id);
  }
  classFolders.sort(compareNames);
  if (classFolders.length === 0) {
    throw new GruDataError('EMPTY', `${dir}: the folder has no class sub-folders. ${LAYOUT_HINT}`, {
      file: dir,
    });
  }
  const classNames = options.classNames ?? classFolders;
  for (const name of classFolders) {
    if (!classNames.includes(name)) {
      throw new GruDataError(
        'LABEL_OUT_OF_RANGE',
        `${join(dir, name)}: class '${name}' is not one of the known classes (${classNames.join(', ')}). ` +
          'Remove the folder, or add the class to the training folder too.',
        { file: join(dir, name) },
      );
    }
  }

  const skipped: SkippedFile[] = [];
  const visited: Visited = new Map([[`${info.dev}:${info.ino}`, dir]]);
  const perClass: { label: number; folder: string; files: string[] }[] = [];
  let fileCount = 0;
  for (const name of classFolders) {
    const folder = join(dir, name);
    const id = folderIds.get(name)!;
    const first = visited.get(id);
    if (first !== undefined) throw linkCycle(folder, first);
    visited.set(id, folder);
    const files = await listFiles(folder, visited, options.skipInvalid ? skipped : undefined);
    if (files.length === 0) {
      throw new GruDataError(
        'EMPTY',
        `${folder}: class folder '${name}' has no images. Add PNG or JPEG files to it, or remove the folder.`,
        { file: folder },
      );
    }
    perClass.push({ label: classNames.indexOf(name), folder, files });
    fileCount += files.length;
  }

  let shape: { height: number; width: number; channels: 1 | 3 | 4 } | undefined;
  let pixels = new Uint8Array(0);
  const labels = new Int32Array(fileCount);
  let count = 0;
  const chunk = 16;
  for (const { label, folder, files } of perClass) {
    let loaded = 0;
    for (let start = 0; start < files.length; start += chunk) {
      const names = files.slice(start, start + chunk);
      const reads = await Promise.allSettled(
        names.map((file) => readFileBytes(file, 'image file', { maxBytes: maxImageFileBytes(limits) })),
      );
      for (const [k, read] of reads.entries()) {
        const file = names[k]!;
        let image: RawImage;
        try {
          if (read.status === 'rejected') throw read.reason;
          image = decodeImage(read.value, file, limits);
        } catch (error) {
          if (!options.skipInvalid) throw error;
          skipped.push({ file, reason: error instanceof Error ? error.message : String(error) });
          continue;
        }
        if (!shape) {
          shape = {
            height: options.height ?? image.height,
            width: options.width ?? image.width,
            channels: options.channels ?? (image.channels <= 2 ? 1 : 3),
          };
          const bytes = fileCount * shape.height * shape.width * shape.channels;
          if (bytes > limits.maxBytes) {
            throw tooManyBytes(
              dir,
              `${fileCount} images of ${shape.height}×${shape.width}×${shape.channels} take`,
              bytes,
              limits,
            );
          }
          pixels = new Uint8Array(bytes);
        }
        const fitted = options.prepare
          ? prepared(options.prepare, image, file, shape)
          : fitImage(image, shape);
        pixels.set(fitted.pixels, count * fitted.pixels.length);
        labels[count++] = label;
        loaded++;
      }
    }
    if (loaded === 0) {
      throw new GruDataError(
        'EMPTY',
        `${folder}: none of the ${files.length} file(s) in class folder '${classNames[label]}' is a readable ` +
          'image (all skipped). Add PNG or JPEG files to it, or remove the folder.',
        { file: folder },
      );
    }
  }
  const { height, width, channels } = shape!;
  return {
    set: {
      count,
      height,
      width,
      channels,
      pixels: pixels.subarray(0, count * height * width * channels),
      labels: labels.subarray(0, count),
      classNames,
    },
    skipped,
  };
}

/** The image `prepare` made of one file, checked to have the set's shape. */
function prepared(
  prepare: (image: RawImage, file: string) => RawImage,
  image: RawImage,
  file: string,
  shape: { height: number; width: number; channels: number },
): RawImage {
  const out = prepare(image, file);
  if (out.height !== shape.height || out.width !== shape.width || out.channels !== shape.channels) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `${file}: prepare returned a ${out.height}×${out.width}×${out.channels} image for a set of ` +
        `${shape.height}×${shape.width}×${shape.channels}. Make prepare return the target shape.`,
      { file },
    );
  }
  return out;
}
