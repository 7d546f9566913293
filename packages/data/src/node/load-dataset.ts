import { lstat } from 'node:fs/promises';
import { join } from 'node:path';
import { cifarClassNames } from '../cifar';
import { GruDataError } from '../errors';
import type { ImageSet } from '../image-set';
import { stratifiedSplit } from '../split';
import { type EmbeddedOptions, FASHION_MNIST_CLASS_NAMES, fashionMnist, mnist } from './embedded';
import { isDirectory, readCifarFiles, readFileBytes, readIdxDataset } from './files';
import { type ImageFolderOptions, readImageFolder, type SkippedFile } from './image-folder';

/** Options of {@link loadDataset}. */
export interface LoadDatasetOptions extends EmbeddedOptions, Omit<ImageFolderOptions, 'classNames'> {
  /** Seed of Fashion-MNIST's split and of a single image folder's split. Default 0. */
  seed?: number;
  /** Test fraction when a `folder:` dataset has no `train/` and `test/` sub-folders. Default 0.2. */
  testFraction?: number;
  /** Class names for `idx:` datasets. Default `'0'…'9'`. */
  classNames?: readonly string[];
}

/**
 * Where a dataset's test images come from: `official` — the dataset's own test files (`mnist`, `idx:`,
 * `fashion-mnist:<dir>`, CIFAR), so accuracies compare with published ones; `test-folder` — the `test/`
 * folder of a `folder:` dataset; `seeded` — a seeded stratified split made here (the embedded
 * `fashion-mnist`, a single `folder:`), not comparable with published numbers.
 */
export type TestSplit = 'official' | 'test-folder' | 'seeded';

/** What {@link loadDataset} returns. */
export interface LoadedDataset {
  train: ImageSet;
  test: ImageSet;
  /** Files a `folder:` dataset skipped (with `skipInvalid`); empty otherwise. */
  skipped: SkippedFile[];
  /** Where the test images come from. */
  split: TestSplit;
  /** The same in words, for people: e.g. `official test set`, or what the seeded split is and how to get the official one. */
  splitNote: string;
}

const OFFICIAL = { split: 'official', splitNote: 'official test set' } as const;

/** Where Zalando's official Fashion-MNIST files come from on Debian and Ubuntu (package `dataset-fashion-mnist`). */
const OFFICIAL_FASHION_MNIST =
  'apt install dataset-fashion-mnist, then fashion-mnist:/usr/share/datasets/fashion-mnist';

/** The dataset specs {@link loadDataset} understands. */
export const DATASET_SPECS = [
  'mnist',
  'fashion-mnist',
  'fashion-mnist:<dir>',
  'idx:<dir>',
  'cifar10:<dir>',
  'cifar100:<dir>',
  'cifar100-coarse:<dir>',
  'folder:<dir>',
] as const;

const IDX_FILES = {
  trainImages: ['train-images-idx3-ubyte', 'train-images.idx3-ubyte'],
  trainLabels: ['train-labels-idx1-ubyte', 'train-labels.idx1-ubyte'],
  testImages: ['t10k-images-idx3-ubyte', 't10k-images.idx3-ubyte'],
  testLabels: ['t10k-labels-idx1-ubyte', 't10k-labels.idx1-ubyte'],
};

async function findFile(dir: string, names: readonly string[], role: string, help: string): Promise<string> {
  for (const name of names) {
    for (const candidate of [name, `${name}.gz`]) {
      const path = join(dir, candidate);
      // Anything by that name: the reader refuses what is not a regular file (a FIFO, /dev/zero) by name.
      if (await exists(path)) return path;
    }
  }
  throw new GruDataError(
    'NOT_FOUND',
    `${dir}: no ${role} file (${names[0]} or ${names[0]}.gz) found. ${help}`,
    {
      file: dir,
    },
  );
}

/** Like `Promise.all`, but a failure is the first failing one in list order, not in time (a stable error). */
async function firstInOrder<T extends readonly unknown[]>(
  promises: {
    readonly [K in keyof T]: Promise<T[K]>;
  },
): Promise<T> {
  const settled = await Promise.allSettled(promises as readonly Promise<unknown>[]);
  return settled.map((s) => {
    if (s.status === 'rejected') throw s.reason;
    return s.value;
  }) as unknown as T;
}

async function requireDirectory(dir: string, spec: string): Promise<void> {
  if (!(await isDirectory(dir))) {
    throw new GruDataError(
      'NOT_FOUND',
      `${dir}: folder not found (from dataset '${spec}'). Check the path.`,
      { file: dir },
    );
  }
}

async function exists(path: string): Promise<boolean> {
  return (await lstat(path).catch(() => undefined)) !== undefined;
}

async function readNames(path: string): Promise<string[] | undefined> {
  if (!(await exists(path))) return undefined;
  const bytes = await readFileBytes(path, 'class names file', { maxBytes: 1024 ** 2 });
  const names = new TextDecoder()
    .decode(bytes)
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line.length > 0);
  return names.length > 0 ? names : undefined;
}

async function loadIdx(
  dir: string,
  spec: string,
  options: LoadDatasetOptions,
  scheme: 'idx' | 'fashion-mnist',
): Promise<LoadedDataset> {
  await requireDirectory(dir, spec);
  const help =
    `${scheme === 'idx' ? 'An' : 'A'} ${scheme}:<dir> dataset needs the four MNIST-style files train-images-idx3-ubyte, train-labels-idx1-ubyte, ` +
    't10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may be .gz)' +
    (scheme === 'fashion-mnist'
      ? `, as in Zalando's Fashion-MNIST release (its data/fashion folder). On Debian or Ubuntu: ${OFFICIAL_FASHION_MNIST}.`
      : '.');
  const [trainImages, trainLabels, testImages, testLabels] = await firstInOrder<
    [string, string, string, string]
  >([
    findFile(dir, IDX_FILES.trainImages, 'training images', help),
    findFile(dir, IDX_FILES.trainLabels, 'training labels', help),
    findFile(dir, IDX_FILES.testImages, 'test images', help),
    findFile(dir, IDX_FILES.testLabels, 'test labels', help),
  ]);
  const { maxBytes } = options;
  const classNames = scheme === 'fashion-mnist' ? FASHION_MNIST_CLASS_NAMES : options.classNames;
  const idxOptions = { ...(classNames ? { classNames } : {}), ...(maxBytes ? { maxBytes } : {}) };
  const [train, test] = await Promise.all([
    readIdxDataset(trainImages, trainLabels, idxOptions),
    readIdxDataset(testImages, testLabels, idxOptions),
  ]);
  return { train, test, skipped: [], ...OFFICIAL };
}

async function loadCifar(
  dir: string,
  spec: string,
  variant: 'cifar10' | 'cifar100',
  label: 'fine' | 'coarse',
  maxBytes: number | undefined,
): Promise<LoadedDataset> {
  await requireDirectory(dir, spec);
  const sub = join(dir, variant === 'cifar10' ? 'cifar-10-batches-bin' : 'cifar-100-binary');
  const root = (await isDirectory(sub)) ? sub : dir;
  const trainNames =
    variant === 'cifar10' ? [1, 2, 3, 4, 5].map((n) => `data_batch_${n}.bin`) : ['train.bin'];
  const testName = variant === 'cifar10' ? 'test_batch.bin' : 'test.bin';
  for (const name of [...trainNames, testName]) {
    if (!(await exists(join(root, name)))) {
      throw new GruDataError(
        'NOT_FOUND',
        `${root}: ${name} not found. A ${variant}:<dir> dataset needs the binary version's files ` +
          `(${[...trainNames, testName].join(', ')}), in <dir> or in <dir>/${variant === 'cifar10' ? 'cifar-10-batches-bin' : 'cifar-100-binary'}.`,
        { file: join(root, name) },
      );
    }
  }
  const metaFile =
    variant === 'cifar10'
      ? 'batches.meta.txt'
      : label === 'coarse'
        ? 'coarse_label_names.txt'
        : 'fine_label_names.txt';
  const classNames = (await readNames(join(root, metaFile))) ?? cifarClassNames(variant, label);
  const options = { variant, label, classNames, ...(maxBytes ? { maxBytes } : {}) };
  const [train, test] = await Promise.all([
    readCifarFiles(
      trainNames.map((name) => join(root, name)),
      options,
    ),
    readCifarFiles([join(root, testName)], options),
  ]);
  return { train, test, skipped: [], ...OFFICIAL };
}

async function loadFolder(dir: string, spec: string, options: LoadDatasetOptions): Promise<LoadedDataset> {
  const { seed = 0, testFraction = 0.2, classNames: _ignored, ...folderOptions } = options;
  const trainDir = join(dir, 'train');
  const testDir = join(dir, 'test');
  if ((await isDirectory(trainDir)) && (await isDirectory(testDir))) {
    const train = await readImageFolder(trainDir, folderOptions);
    const { height, width, channels } = train.set;
    const test = await readImageFolder(testDir, {
      ...folderOptions,
      height,
      width,
      channels: channels as 1 | 3 | 4,
      classNames: train.set.classNames,
    });
    return {
      train: train.set,
      test: test.set,
      skipped: [...train.skipped, ...test.skipped],
      split: 'test-folder',
      splitNote: `the test/ folder of ${dir}`,
    };
  }
  const all = await readImageFolder(dir, folderOptions);
  if (!(testFraction > 0 && testFraction < 1)) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `loadDataset('${spec}'): testFraction ${testFraction} must be between 0 and 1 (exclusive).`,
    );
  }
  const { train, validation } = stratifiedSplit(all.set, { fraction: testFraction, seed });
  return {
    train,
    test: validation,
    skipped: all.skipped,
    split: 'seeded',
    splitNote: `a seeded stratified ${Math.round(testFraction * 100)} % of ${dir} (seed ${seed}; add train/ and test/ folders for a fixed test set)`,
  };
}

/**
 * Loads a dataset named by a spec string:
 * - `mnist` — {@link mnist}; `fashion-mnist` — {@link fashionMnist} with `seed` (a seeded split, **not the
 *   official one**: `split` is `'seeded'`); `fashion-mnist:<dir>` — Zalando's official IDX files in `<dir>`
 *   (Debian's package `dataset-fashion-mnist` puts them in `/usr/share/datasets/fashion-mnist`)
 *   (as `idx:<dir>`, with the Fashion-MNIST class names);
 * - `idx:<dir>` — the MNIST-family files in `<dir>` (`train-images-idx3-ubyte`, `train-labels-idx1-ubyte`,
 *   `t10k-images-idx3-ubyte`, `t10k-labels-idx1-ubyte`, or the `*.idx3-ubyte` spelling, each optionally `.gz`);
 * - `cifar10:<dir>` — `data_batch_1…5.bin` + `test_batch.bin`; `cifar100:<dir>` / `cifar100-coarse:<dir>` —
 *   `train.bin` + `test.bin` with fine / coarse labels; in `<dir>` or its `cifar-10-batches-bin` /
 *   `cifar-100-binary` sub-folder; class names from the meta `.txt` files when present;
 * - `folder:<dir>` — image folders (each image at most `maxPixels`): `<dir>/train` and `<dir>/test` when both exist (the test folder uses the
 *   training classes and image size), otherwise `<dir>` itself split by `stratifiedSplit` with
 *   `testFraction` (default 0.2) and `seed` (default 0).
 */
export async function loadDataset(spec: string, options: LoadDatasetOptions = {}): Promise<LoadedDataset> {
  if (spec === 'mnist') return { ...(await mnist(options)), skipped: [], ...OFFICIAL };
  if (spec === 'fashion-mnist') {
    return {
      ...(await fashionMnist(options)),
      skipped: [],
      split: 'seeded',
      splitNote:
        "not the official split: a seeded, stratified 10 000-image test set drawn from the fashion-mnist package's " +
        `70 000 images (seed ${options.seed ?? 0}); for the official split: ${OFFICIAL_FASHION_MNIST} ` +
        "(or fashion-mnist:<dir> with Zalando's IDX files)",
    };
  }
  const colon = spec.indexOf(':');
  const scheme = colon < 0 ? spec : spec.slice(0, colon);
  const dir = colon < 0 ? '' : spec.slice(colon + 1);
  const known = ['idx', 'fashion-mnist', 'cifar10', 'cifar100', 'cifar100-coarse', 'folder'];
  if (!known.includes(scheme)) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `Unknown dataset '${spec}'. Use one of: ${DATASET_SPECS.join(', ')}.`,
    );
  }
  if (dir === '') {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `Dataset '${spec}' names no folder. Write it as ${scheme}:<dir>.`,
    );
  }
  switch (scheme) {
    case 'idx':
    case 'fashion-mnist':
      return loadIdx(dir, spec, options, scheme);
    case 'cifar10':
      return loadCifar(dir, spec, 'cifar10', 'fine', options.maxBytes);
    case 'cifar100':
      return loadCifar(dir, spec, 'cifar100', 'fine', options.maxBytes);
    case 'cifar100-coarse':
      return loadCifar(dir, spec, 'cifar100', 'coarse', options.maxBytes);
    default:
      return loadFolder(dir, spec, options);
  }
}
