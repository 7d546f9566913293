import { readdir, readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type FileEntry, writeDirectoryAtomic } from '@gruvision/classifier/node';
import { type ImageSet, writeIdxImages, writeIdxLabels } from '@gruvision/data';
import { CliError } from '../errors';
import { nonNegativeInt, positiveInt } from '../options';
import type { RegisterCommand } from '../program';
import { formatCount, formatDuration } from '../ui/format';
import { Output } from '../ui/io';
import { addJsonOption, DATASET_HELP, loadData } from './shared';

/** Name and version of the folder format `gruvision export-data` writes (documented in python/README.md). */
export const DATASET_FORMAT = 'gruvision-dataset';
export const DATASET_FORMAT_VERSION = 1;
export const DATASET_FILE = 'dataset.json';

/** One split of an exported dataset, as `dataset.json` lists it. */
export interface ExportedSplit {
  readonly images: string;
  readonly labels: string;
  readonly count: number;
}

/** `dataset.json` of an exported dataset. */
export interface DatasetJson {
  readonly format: typeof DATASET_FORMAT;
  readonly version: number;
  readonly source: string;
  readonly classNames: readonly string[];
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  /** Always `"uint8-hwc"`: raw bytes, row-major, channels last; no view or normalization applied. */
  readonly pixels: 'uint8-hwc';
  readonly splits: { readonly train: ExportedSplit; readonly test: ExportedSplit };
  readonly seed: number;
  readonly limit?: number;
  readonly testLimit?: number;
}

const IDX_INT32_LABELS_MAGIC = 0x00000c01;

/** IDX images: rank 3 `[count, height, width]` for one channel (MNIST's own magic 2051), else rank 4 `[count, height, width, channels]` (magic 2052). */
export function idxImages(set: ImageSet): Uint8Array {
  if (set.channels === 1) return writeIdxImages(set);
  const dims = [set.count, set.height, set.width, set.channels];
  const out = new Uint8Array(4 + 4 * dims.length + set.pixels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, 0x00000804, false);
  dims.forEach((d, i) => {
    view.setUint32(4 + 4 * i, d, false);
  });
  out.set(set.pixels, 4 + 4 * dims.length);
  return out;
}

/** IDX labels: unsigned bytes (magic 2049) when every class index fits in a byte, else big-endian int32 (magic 0x0C01). */
export function idxLabels(labels: Int32Array, classes: number): Uint8Array {
  if (classes <= 256) return writeIdxLabels(labels);
  const out = new Uint8Array(8 + 4 * labels.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, IDX_INT32_LABELS_MAGIC, false);
  view.setUint32(4, labels.length, false);
  for (let i = 0; i < labels.length; i++) view.setInt32(8 + 4 * i, labels[i]!, false);
  return out;
}

/** The files of an exported dataset: `dataset.json` and four IDX files (MNIST's names for one channel). */
export function datasetFiles(
  train: ImageSet,
  test: ImageSet,
  info: { source: string; seed: number; limit?: number; testLimit?: number },
): { files: FileEntry[]; json: DatasetJson } {
  const rank = train.channels === 1 ? 3 : 4;
  const labelRank = 1;
  const split = (prefix: string, set: ImageSet): ExportedSplit => ({
    images: `${prefix}-images-idx${rank}-ubyte`,
    labels: `${prefix}-labels-idx${labelRank}-${train.classNames.length <= 256 ? 'ubyte' : 'int'}`,
    count: set.count,
  });
  const json: DatasetJson = {
    format: DATASET_FORMAT,
    version: DATASET_FORMAT_VERSION,
    source: info.source,
    classNames: [...train.classNames],
    height: train.height,
    width: train.width,
    channels: train.channels,
    pixels: 'uint8-hwc',
    splits: { train: split('train', train), test: split('t10k', test) },
    seed: info.seed,
    ...(info.limit !== undefined ? { limit: info.limit } : {}),
    ...(info.testLimit !== undefined ? { testLimit: info.testLimit } : {}),
  };
  const classes = train.classNames.length;
  const files: FileEntry[] = [
    { name: json.splits.train.images, bytes: idxImages(train) },
    { name: json.splits.train.labels, bytes: idxLabels(train.labels, classes) },
    { name: json.splits.test.images, bytes: idxImages(test) },
    { name: json.splits.test.labels, bytes: idxLabels(test.labels, classes) },
    { name: DATASET_FILE, bytes: new TextEncoder().encode(`${JSON.stringify(json, null, 2)}\n`) },
  ];
  return { files, json };
}

/** An existing `--out` may be replaced only when it is empty or an earlier export (it has our dataset.json). */
async function isDatasetDirectory(dir: string): Promise<boolean> {
  const names = await readdir(dir);
  if (names.length === 0) return true;
  try {
    const json = JSON.parse(await readFile(join(dir, DATASET_FILE), 'utf8')) as { format?: unknown };
    return json.format === DATASET_FORMAT;
  } catch {
    return false;
  }
}

export const registerExportData: RegisterCommand = (program, context) => {
  const command = program
    .command('export-data')
    .description(
      'write a dataset as raw IDX files + dataset.json, for training outside gruvision (python/gruvision_torch)',
    )
    .option('--dataset <spec>', DATASET_HELP, 'mnist')
    .requiredOption('--out <dir>', 'folder to write (replaced only if it is an earlier export)')
    .option(
      '--limit <n>',
      'a stratified subset of n training images (the same one `train --limit` uses)',
      positiveInt,
    )
    .option('--test-limit <n>', 'a stratified subset of n test images', positiveInt)
    .option(
      '--seed <n>',
      'seed of the subsets and of the fashion-mnist split (as `train --seed`)',
      nonNegativeInt,
      0,
    );
  addJsonOption(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision export-data --dataset mnist --out data/mnist
  $ gruvision export-data --dataset fashion-mnist --limit 5000 --test-limit 1000 --out data/fashion-5k
  $ gruvision export-data --dataset folder:./my-images --out data/mine --json

Writes <out>/dataset.json and four IDX files of raw uint8 pixels (row-major, channels last; no sequence
view, no normalization): train-images, train-labels, t10k-images, t10k-labels. One-channel sets use
MNIST's own file names, so \`gruvision train --dataset idx:<out>\` reads them back. The format is
documented in python/README.md.`,
  );
  command.action(async (raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const out = resolve(raw.out as string);
    const source = raw.dataset as string;
    const seed = raw.seed as number;
    const limit = raw.limit as number | undefined;
    const testLimit = raw.testLimit as number | undefined;
    const start = performance.now();
    const { train, test } = await loadData(source, output, {
      seed,
      ...(limit !== undefined ? { limit } : {}),
      ...(testLimit !== undefined ? { testLimit } : {}),
    });
    const { files, json } = datasetFiles(train, test, {
      source,
      seed,
      ...(limit !== undefined ? { limit } : {}),
      ...(testLimit !== undefined ? { testLimit } : {}),
    });
    try {
      await writeDirectoryAtomic(out, files, isDatasetDirectory);
    } catch (error) {
      if ((error as { code?: unknown }).code === 'INVALID_ARGUMENT') {
        throw new CliError(
          `${out} exists and is not an earlier gruvision export-data folder (no ${DATASET_FILE} of format ${DATASET_FORMAT}). ` +
            'Choose a new or empty folder; nothing was written.',
        );
      }
      throw error;
    }
    const bytes = files.reduce((sum, f) => sum + f.bytes.length, 0);
    output.line(
      `wrote ${formatCount(json.splits.train.count)} training and ${formatCount(json.splits.test.count)} test images ` +
        `(${json.height}×${json.width}×${json.channels}, ${json.classNames.length} classes, ${(bytes / 1e6).toFixed(1)} MB) ` +
        `to ${out} in ${formatDuration((performance.now() - start) / 1000)}`,
    );
    output.result({ type: 'result', out, bytes, ...json });
  });
};
