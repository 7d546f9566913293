import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { EngineName } from '@gruvision/classifier';
import { CliError, UsageError } from '../errors';
import { modelLimitsFrom } from '../model-limits';
import { positiveInt } from '../options';
import type { RegisterCommand } from '../program';
import { formatPercent, formatTable } from '../ui/format';
import { Output } from '../ui/io';
import {
  addEngineOption,
  addInputLimitOptions,
  addJsonOption,
  DATASET_HELP,
  inputLimitsFrom,
  loadData,
  openModel,
} from './shared';
import { SETTINGS_FILE, type TrainSettings } from './train';
import { addSkipInvalidOption } from './training-flags';

/** The dataset a model directory was trained on, when `gruvision train` wrote it. */
async function trainedDataset(dir: string): Promise<string | undefined> {
  try {
    const settings = JSON.parse(await readFile(join(dir, SETTINGS_FILE), 'utf8')) as Partial<TrainSettings>;
    return typeof settings.dataset === 'string' ? settings.dataset : undefined;
  } catch {
    return undefined;
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
    .option('--top-k <k>', 'k of the top-k accuracy', positiveInt, 5);
  addEngineOption(command);
  addInputLimitOptions(command);
  addSkipInvalidOption(command);
  addJsonOption(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision eval models/mnist-gru128
  $ gruvision eval models/fashion --dataset fashion-mnist --json`,
  );
  command.action(async (modelDir: string, raw: Record<string, unknown>) => {
    const output = new Output(context.io, Boolean(raw.json));
    const dir = resolve(modelDir);
    const model = await openModel(dir, raw.engine as EngineName, modelLimitsFrom(raw));
    const dataset = (raw.dataset as string | undefined) ?? (await trainedDataset(dir));
    if (dataset === undefined) {
      throw new UsageError(
        `${modelDir} does not say which dataset it was trained on: pass --dataset (${DATASET_HELP}).`,
      );
    }
    const { test, split, splitNote } = await loadData(dataset, output, {
      ...(raw.skipInvalid ? { skipInvalid: true } : {}),
      inputLimits: inputLimitsFrom(raw),
      ...(raw.testLimit !== undefined ? { testLimit: raw.testLimit as number } : {}),
    });
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
