import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EngineName, GruClassifier } from '@gruvision/classifier';
import type { ImageSet } from '@gruvision/data';
import { CliError, UsageError } from '../errors';
import { modelLimitsFrom } from '../model-limits';
import { choice, nonNegativeInt, positiveInt } from '../options';
import { INVERT_HELP, INVERT_MODES, type InvertMode } from '../pictures';
import type { RegisterCommand } from '../program';
import { formatDuration, formatPercent, formatTable } from '../ui/format';
import { Output } from '../ui/io';
import { readEvalFolder } from './eval-folder';
import {
  addModelReaderOptions,
  DATASET_HELP,
  inputLimitsFrom,
  loadData,
  openModel,
  stratifiedSubset,
} from './shared';
import { SETTINGS_FILE, type TrainSettings } from './train';
import { addSkipInvalidOption } from './training-flags';

/** The dataset a model directory was trained on and the seed of its split, when `gruvision train` wrote it. */
async function trainedOn(dir: string): Promise<{ dataset?: string; seed?: number }> {
  try {
    const settings = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8')) as Partial<TrainSettings>;
    return {
      ...(typeof settings.dataset === 'string' ? { dataset: settings.dataset } : {}),
      ...(Number.isSafeInteger(settings.seed) ? { seed: settings.seed } : {}),
    };
  } catch {
    return {};
  }
}

export const registerEval: RegisterCommand = (program, context) => {
  const command = program
    .command('eval')
    .alias('evaluate')
    .argument('<model>', 'model directory written by gruvision train')
    .description(
      'evaluate a model on a test set: accuracy, loss, per-class precision/recall/F1, confusion matrix',
    )
    .option('--dataset <spec>', `${DATASET_HELP} (default: the dataset the model was trained on)`)
    .option('--test-limit <n>', 'evaluate on a stratified subset of n test images', positiveInt)
    .option('--top-k <k>', 'k of the top-k accuracy', positiveInt, 5)
    .option('--all', 'with --dataset folder:<dir>: evaluate every picture of the folder, not the test split')
    .option('--invert <mode>', `with --dataset folder:<dir>: ${INVERT_HELP}`, choice(INVERT_MODES), 'auto')
    .option(
      '--seed <n>',
      "seed of a seeded test split (fashion-mnist, a folder without test/); default: the model's own, from its train-settings.json",
      nonNegativeInt,
    );
  addSkipInvalidOption(command);
  addModelReaderOptions(
    command,
    `  $ gruvision eval models/mnist-gru128
  $ gruvision eval models/fashion --dataset fashion-mnist --json
  $ gruvision eval models/mnist-gru128 --dataset folder:./my-digits --all

A folder:<dir> dataset holds one sub-folder per class (my-digits/7/photo.jpg). Its pictures may have any
size: each is read as predict reads a picture (the model's preprocessing, --invert, resized to the
model's input). Without --all, eval reads the folder's test/ sub-folder, or, in a folder without
train/ and test/, the 20 % that train holds out of it.`,
  );
  command.action(async (modelDir: string, raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const dir = resolve(modelDir);
    const model = await openModel(dir, raw.engine as EngineName, modelLimitsFrom(raw));
    const trained = await trainedOn(dir);
    const dataset = (raw.dataset as string | undefined) ?? trained.dataset;
    if (dataset === undefined) {
      throw new UsageError(
        `${modelDir} does not say which dataset it was trained on: pass --dataset (${DATASET_HELP}).`,
      );
    }
    const folder = dataset.startsWith('folder:') ? dataset.slice('folder:'.length) : undefined;
    if (raw.all && folder === undefined) {
      model.dispose();
      throw new UsageError(
        `--all evaluates every picture of an image folder; ${dataset} is not one. Pass --dataset folder:<dir>, or leave out --all.`,
      );
    }
    // A seeded split must be the model's own: another seed's test set overlaps its training images.
    const seed = (raw.seed as number | undefined) ?? trained.seed;
    const { test, split, splitNote } =
      folder === undefined
        ? await loadData(dataset, output, {
            ...(seed !== undefined ? { seed } : {}),
            ...(raw.skipInvalid ? { skipInvalid: true } : {}),
            inputLimits: inputLimitsFrom(raw),
            ...(raw.testLimit !== undefined ? { testLimit: raw.testLimit as number } : {}),
          })
        : await folderTestSet(folder, model, raw, output, seed);
    if (split === 'seeded' && seed === undefined) {
      output.log(
        `warning: ${modelDir} does not say which seed its training split had (no ${SETTINGS_FILE}); the seed-0 test ` +
          'split may hold images it was trained on. Pass the seed it was trained with: --seed <n>.',
      );
    }
    const { height, width, channels } = model.input;
    if (test.height !== height || test.width !== width || test.channels !== channels) {
      model.dispose();
      throw new CliError(
        `${dataset} holds ${test.height}×${test.width}×${test.channels} pictures, but ${modelDir} reads ` +
          `${height}×${width}×${channels}. Pass a --dataset of ${height}×${width} pictures, or a folder:<dir> ` +
          'of pictures of any size, which eval resizes as predict does.',
      );
    }
    const same =
      test.classNames.length === model.classNames.length &&
      test.classNames.every((name, i) => name === model.classNames[i]);
    if (!same) {
      model.dispose();
      throw new CliError(
        `${dataset} does not have the classes ${modelDir} was trained on: the model knows ` +
          `${listClasses(model.classNames)}, the dataset has ${listClasses(test.classNames)}. ` +
          'Pass a --dataset with the same classes in the same order.',
      );
    }
    const k = Math.min(raw.topK as number, model.classNames.length);
    const e = await model.evaluate(test, { topK: k });
    model.dispose();
    output.result({ model: dir, dataset, split, splitNote, ...e });
    output.line(`accuracy ${formatPercent(e.accuracy)} on ${e.count} images of ${dataset} (${splitNote})`);
    output.line(
      `top-${e.topK} accuracy ${formatPercent(e.topKAccuracy)}, loss ${e.loss.toFixed(4)}, macro-F1 ${e.macroF1.toFixed(4)}`,
    );
    output.line();
    output.line(
      formatTable(e.perClass, [
        { header: 'class', value: (c) => c.className, align: 'left' },
        { header: 'precision', value: (c) => c.precision.toFixed(3) },
        { header: 'recall', value: (c) => c.recall.toFixed(3) },
        { header: 'F1', value: (c) => c.f1.toFixed(3) },
        { header: 'support', value: (c) => String(c.support) },
      ]),
    );
    output.line();
    output.line('confusion matrix (rows: true class, columns: predicted class)');
    output.line(
      confusionTable(
        e.confusion,
        e.perClass.map((c) => c.className),
      ),
    );
  });
};

/** The pictures of `--dataset folder:<dir>`, read as predict reads them, with a log line on what they are. */
async function folderTestSet(
  folder: string,
  model: GruClassifier,
  raw: Record<string, unknown>,
  output: Output,
  seed: number | undefined,
): Promise<{ test: ImageSet; split: string; splitNote: string }> {
  const start = performance.now();
  const read = await readEvalFolder(resolve(folder), model, {
    ...(seed !== undefined ? { seed } : {}),
    ...(raw.skipInvalid ? { skipInvalid: true } : {}),
    all: Boolean(raw.all),
    invert: raw.invert as InvertMode,
    limits: inputLimitsFrom(raw),
  });
  const set =
    raw.testLimit !== undefined ? stratifiedSubset(read.set, raw.testLimit as number, seed ?? 0) : read.set;
  const { height, width, channels } = model.input;
  output.log(
    `dataset folder:${folder}: ${read.what}, ${set.classNames.length} classes, read as ${height}×${width}×${channels} ` +
      `like predict (${formatDuration((performance.now() - start) / 1000)})`,
  );
  for (const s of read.skipped) output.log(`skipped ${s.file}: ${s.reason}`);
  return { test: set, split: read.split, splitNote: read.splitNote };
}

/** The confusion matrix as a text table; long class names are numbered and listed once. */
export function confusionTable(
  confusion: readonly (readonly number[])[],
  classNames: readonly string[],
): string {
  const short = classNames.every((c) => c.length <= 5);
  const label = (i: number): string => (short ? classNames[i]! : String(i));
  const rows = confusion.map((row, i) => ({ i, row }));
  const table = formatTable(rows, [
    { header: 'true\\pred', value: (r) => label(r.i), align: 'left' },
    ...classNames.map((_, j) => ({
      header: label(j),
      value: (r: (typeof rows)[number]) => String(r.row[j] ?? 0),
    })),
  ]);
  const legend = short ? '' : `\n${classNames.map((c, i) => `${i}: ${c}`).join(', ')}`;
  return table + legend;
}

/** A class list for a message: all names when there are few, else the first ones and the count. */
function listClasses(names: readonly string[]): string {
  const shown = names.length <= 12 ? names : [...names.slice(0, 10), '…'];
  return `${names.length} classes (${shown.join(', ')})`;
}
