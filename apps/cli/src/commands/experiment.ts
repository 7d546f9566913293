import {
  type BestModel,
  type EngineName,
  GruClassifier,
  type ModelArtifacts,
  type ModelLimits,
} from '@gruvision/classifier';
import { type ImageSet, stratifiedSplit } from '@gruvision/data';
import type { TestSplit } from '@gruvision/data/node';
import { gateCount, hasRecurrentKernel } from '@gruvision/math';
import type { Command } from 'commander';
import { UsageError } from '../errors';
import { modelLimitsFrom } from '../model-limits';
import { fraction, nonNegativeInt, positiveInt } from '../options';
import { formatPercent } from '../ui/format';
import type { Output } from '../ui/io';
import { progressCallbacks, TrainingProgress } from '../ui/progress';
import {
  type CliCell,
  DATASET_HELP,
  engineFor,
  inputLimitsFrom,
  loadData,
  threadsFor,
  toCellType,
} from './shared';
import { addTrainingRunOptions, type FitSettings, fitOptionsFrom, fitSettingsFrom } from './train-settings';
import { createOptionsFor, trainingFlagsFrom, viewFlags } from './training-flags';

/** Mean and sample standard deviation (n − 1; 0 for one value) of a configuration's runs, one per seed. */
export interface SeedStats {
  readonly mean: number;
  readonly std: number;
  readonly values: readonly number[];
}

/**
 * One configuration of `compare` or `sweep`, trained once per seed and scored on the **validation**
 * split (held out of the training images): these numbers choose the pick, never the test set.
 */
export interface ExperimentResult {
  readonly cell: CliCell;
  readonly units: number;
  readonly parameters: number;
  readonly valAccuracy: SeedStats;
  readonly valLoss: SeedStats;
  readonly epochs: number;
  readonly secondsPerEpoch: number;
  readonly samplesPerSecond: number;
}

/** The configuration chosen on validation accuracy, and its **test** accuracy: the only test numbers reported. */
export interface ExperimentPick {
  readonly cell: CliCell;
  readonly units: number;
  readonly parameters: number;
  readonly rule: 'highest mean validation accuracy (ties: the first listed)';
  readonly testAccuracy: SeedStats;
  readonly testLoss: SeedStats;
}

/** What `compare` and `sweep` print with `--json` (besides their own fields). */
export interface ExperimentReport {
  /** Which numbers are which: `results` are validation numbers, `pick.testAccuracy` is the test number. */
  readonly selection: 'validation';
  readonly results: ExperimentResult[];
  readonly pick: ExperimentPick;
  readonly seeds: readonly number[];
  readonly trainCount: number;
  readonly validationCount: number;
  readonly testCount: number;
  /** Where the test images come from (`official`, `test-folder`, `seeded`), and the same in words. */
  readonly split: TestSplit;
  readonly splitNote: string;
  readonly skipped: readonly { file: string; reason: string }[];
}

/** The budget every configuration of a comparison gets. */
export interface ExperimentBudget {
  readonly epochs: number;
  /** The optimizer, schedule and training flags (`--augment`, `--l2`, `--class-weight`, …), as train's. */
  readonly fit: FitSettings;
  readonly seed: number;
  readonly seeds: number;
  readonly engine: EngineName;
  readonly threads: number;
  readonly layers: number;
  /** The model size limits of the flags (`--max-units`, …). */
  readonly limits: ModelLimits;
}

/** Options shared by `compare` and `sweep`: the data, the validation split and the training budget. */
export function addExperimentOptions(command: Command): Command {
  command
    .option('--dataset <spec>', DATASET_HELP, 'mnist')
    .option('--limit <n>', 'train on a stratified subset of n images', positiveInt, 10_000)
    .option('--test-limit <n>', 'test on a stratified subset of n images', positiveInt, 2_000)
    .option('--layers <n>', 'stacked recurrent layers', positiveInt, 1)
    .option('--epochs <n>', 'epochs per configuration', positiveInt, 2)
    .option('--seed <n>', 'first seed (the same for every configuration)', nonNegativeInt, 0)
    .option(
      '--validation <fraction>',
      'share of the training images held out to choose the pick (the test set is used only for the pick)',
      fraction,
      0.1,
    )
    .option(
      '--seeds <n>',
      'train every configuration with n seeds (seed, seed + 1, …) and report mean ± standard deviation',
      positiveInt,
      1,
    );
  // The same training options as `gruvision train` (one definition), for every configuration.
  return addTrainingRunOptions(command);
}

export function budgetFrom(raw: Record<string, unknown>): ExperimentBudget {
  return {
    epochs: raw.epochs as number,
    fit: fitSettingsFrom(raw, raw.epochs as number, trainingFlagsFrom(raw, 'gru')),
    seed: raw.seed as number,
    seeds: raw.seeds as number,
    engine: raw.engine as EngineName,
    threads: threadsFor(raw.engine as EngineName, raw.threads as number | undefined),
    layers: raw.layers as number,
    limits: modelLimitsFrom(raw),
  };
}

/** Mean and sample standard deviation (n − 1 in the denominator; 0 for a single value). */
export function seedStats(values: readonly number[]): SeedStats {
  const n = values.length;
  const mean = values.reduce((a, b) => a + b, 0) / n;
  const std = n > 1 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : 0;
  return { mean, std, values };
}

/** `97.12% ± 0.30` (the ± part only with more than one seed). */
export function formatStats(stats: SeedStats): string {
  return stats.values.length > 1
    ? `${formatPercent(stats.mean)} ± ${(stats.std * 100).toFixed(2)}`
    : formatPercent(stats.mean);
}

/** The shape of the model a configuration builds: what its parameter count depends on. */
export interface ModelShape {
  /** Features per time step of the first layer (rows view: width × channels). */
  readonly inputSize: number;
  readonly layers: number;
  readonly classes: number;
}

/**
 * Trainable parameters of `layers` stacked cells of `units` plus the dense head, from the cell formulas:
 * each layer has g·(I·H + R·H² + H) with g gate blocks (GRU 3, LSTM 4, RNN 1, minGRU 2, minLSTM 3),
 * I its input size (the first layer's features, then H), R = 1 for cells with a recurrent kernel (0 for
 * minGRU / minLSTM); the head adds H·C + C. (GRU with the reset gate before the product, as the CLI builds it.)
 */
export function cellParameterCount(cell: CliCell, units: number, shape: ModelShape): number {
  const type = toCellType(cell);
  const g = gateCount(type);
  const r = hasRecurrentKernel(type) ? 1 : 0;
  let total = 0;
  for (let layer = 0; layer < shape.layers; layer++) {
    const input = layer === 0 ? shape.inputSize : units;
    total += g * (input * units + r * units * units + units);
  }
  return total + units * shape.classes + shape.classes;
}

/** The units (≥ 1) whose parameter count comes closest to `target` (ties: fewer units). */
export function unitsForParameters(cell: CliCell, target: number, shape: ModelShape): number {
  // The count grows with the units: find the first count ≥ target, then take the closer neighbour.
  let low = 1;
  let high = 1;
  while (cellParameterCount(cell, high, shape) < target) high *= 2;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if (cellParameterCount(cell, mid, shape) < target) low = mid + 1;
    else high = mid;
  }
  if (low > 1) {
    const below = Math.abs(target - cellParameterCount(cell, low - 1, shape));
    const above = Math.abs(cellParameterCount(cell, low, shape) - target);
    if (below <= above) return low - 1;
  }
  return low;
}

/**
 * Loads the data the options name (`--dataset`, `--limit`, `--test-limit`) once, asks `configsFor` for the
 * configurations given the model shape the data makes, holds out a seeded,
 * stratified `--validation` share of the training images, trains every configuration on the rest with
 * the same budget for each seed, picks the configuration with the highest mean validation accuracy and
 * tests only that one.
 */
export async function runExperiments(
  raw: Record<string, unknown>,
  configsFor: (shape: ModelShape) => readonly { cell: CliCell; units: number }[],
  output: Output,
): Promise<{ report: ExperimentReport; budget: ExperimentBudget; train: ImageSet; test: ImageSet }> {
  const budget = budgetFrom(raw);
  const data = await loadData(raw.dataset as string, output, {
    seed: budget.seed,
    limit: raw.limit as number,
    testLimit: raw.testLimit as number,
    inputLimits: inputLimitsFrom(raw),
    ...(raw.skipInvalid ? { skipInvalid: true } : {}),
  });
  const { train: fit, validation } = stratifiedSplit(data.train, {
    fraction: raw.validation as number,
    seed: budget.seed,
  });
  if (validation.count === 0 || fit.count === 0) {
    throw new UsageError(
      `--validation ${String(raw.validation)} leaves ${validation.count} validation and ${fit.count} training images of ${data.train.count}: ` +
        'choose a share that keeps both (e.g. 0.1), or more images with --limit.',
    );
  }
  // The rows view the models use: one step per image row of width × channels features.
  const configs = configsFor({
    inputSize: data.train.width * data.train.channels,
    layers: budget.layers,
    classes: data.train.classNames.length,
  });
  // Flags that do not apply to a configuration's cell (--recurrent-activation for rnn) are refused up front.
  for (const config of configs) trainingFlagsFrom(raw, config.cell);
  const seeds = Array.from({ length: budget.seeds }, (_, k) => budget.seed + k);
  const results: ExperimentResult[] = [];
  let best: { index: number; models: GruClassifier[] } | undefined;
  try {
    for (const config of configs) {
      const runs: { model: GruClassifier; run: RunResult }[] = [];
      try {
        for (const seed of seeds) {
          runs.push(
            await trainAndValidate(
              await createModel(fit, config, budget, seed),
              fit,
              validation,
              config,
              budget,
              seed,
              output,
            ),
          );
        }
      } catch (error) {
        for (const { model } of runs) model.dispose();
        throw error;
      }
      const result = summarizeRuns(
        config,
        runs[0]!.model.parameterCount,
        runs.map((r) => r.run),
      );
      output.event('result', { ...result });
      results.push(result);
      const bestMean = best === undefined ? -1 : results[best.index]!.valAccuracy.mean;
      if (result.valAccuracy.mean > bestMean) {
        for (const model of best?.models ?? []) model.dispose();
        best = { index: results.length - 1, models: runs.map((r) => r.model) };
      } else {
        for (const { model } of runs) model.dispose();
      }
    }
    const chosen = results[best!.index]!;
    const tests = [];
    for (const model of best!.models) tests.push(await model.evaluate(data.test));
    const pick: ExperimentPick = {
      cell: chosen.cell,
      units: chosen.units,
      parameters: chosen.parameters,
      rule: 'highest mean validation accuracy (ties: the first listed)',
      testAccuracy: seedStats(tests.map((e) => e.accuracy)),
      testLoss: seedStats(tests.map((e) => e.loss)),
    };
    output.event('pick', { ...pick });
    const report: ExperimentReport = {
      selection: 'validation',
      results,
      pick,
      seeds,
      trainCount: fit.count,
      validationCount: validation.count,
      testCount: data.test.count,
      split: data.split,
      splitNote: data.splitNote,
      skipped: data.skipped,
    };
    return { report, budget, train: fit, test: data.test };
  } finally {
    for (const model of best?.models ?? []) model.dispose();
  }
}

interface RunResult {
  readonly valAccuracy: number;
  readonly valLoss: number;
  readonly epochs: number;
  readonly seconds: number;
  readonly samplesPerSecond: number;
}

async function createModel(
  train: ImageSet,
  config: { cell: CliCell; units: number },
  budget: ExperimentBudget,
  seed: number,
): Promise<GruClassifier> {
  return GruClassifier.create({
    classNames: train.classNames,
    height: train.height,
    width: train.width,
    channels: train.channels,
    cell: toCellType(config.cell),
    units: config.units,
    layers: budget.layers,
    seed,
    engine: await engineFor(budget.engine, budget.threads),
    limits: budget.limits,
    view: { mode: 'rows', ...viewFlags(budget.fit.training) },
    ...createOptionsFor(budget.fit.training),
  });
}

/**
 * Trains one configuration with one seed on `train` and scores it on `validation`. Early stopping,
 * reduce-on-plateau and keep-best watch `validation` too; with keep-best the model returned (scored, and
 * tested if it is the pick) is the best epoch's.
 */
async function trainAndValidate(
  trained: GruClassifier,
  train: ImageSet,
  validation: ImageSet,
  config: { cell: CliCell; units: number },
  budget: ExperimentBudget,
  seed: number,
  output: Output,
): Promise<{ model: GruClassifier; run: RunResult }> {
  let model = trained;
  const name = `${config.cell.toUpperCase()}-${config.units}${budget.seeds > 1 ? ` seed ${seed}` : ''}`;
  output.log(`${name}: ${model.parameterCount} parameters`);
  const progress = new TrainingProgress(output, {
    name,
    fields: { cell: config.cell, units: config.units, seed },
  });
  try {
    const flags = budget.fit.training;
    const watches = flags?.patience !== undefined || flags?.reduceOnPlateau !== undefined || flags?.keepBest;
    let best: ModelArtifacts | undefined;
    const history = await model.fit(train, {
      ...fitOptionsFrom(budget.fit),
      ...(watches ? { validation } : {}),
      ...(flags?.keepBest !== undefined
        ? { keepBest: { monitor: flags.keepBest, save: (b: BestModel) => void (best = b.artifacts) } }
        : {}),
      ...progressCallbacks(progress, budget.epochs),
    });
    if (best !== undefined) {
      const kept = await GruClassifier.fromArtifacts(best, {
        engine: await engineFor(budget.engine, budget.threads),
        limits: budget.limits,
      });
      model.dispose();
      model = kept;
    }
    const e = await model.evaluate(validation);
    const logs = history.epochs;
    return {
      model,
      run: {
        valAccuracy: e.accuracy,
        valLoss: e.loss,
        epochs: logs.length,
        seconds: logs.reduce((a, l) => a + l.seconds, 0),
        samplesPerSecond: logs.reduce((a, l) => a + l.samplesPerSecond, 0) / Math.max(1, logs.length),
      },
    };
  } catch (error) {
    model.dispose();
    throw error;
  } finally {
    progress.clear();
  }
}

function summarizeRuns(
  config: { cell: CliCell; units: number },
  parameters: number,
  runs: readonly RunResult[],
): ExperimentResult {
  const epochs = runs.reduce((a, r) => a + r.epochs, 0);
  return {
    cell: config.cell,
    units: config.units,
    parameters,
    valAccuracy: seedStats(runs.map((r) => r.valAccuracy)),
    valLoss: seedStats(runs.map((r) => r.valLoss)),
    epochs: runs[0]!.epochs,
    secondsPerEpoch: runs.reduce((a, r) => a + r.seconds, 0) / Math.max(1, epochs),
    samplesPerSecond: runs.reduce((a, r) => a + r.samplesPerSecond, 0) / runs.length,
  };
}
