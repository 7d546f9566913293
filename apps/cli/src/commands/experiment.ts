import { type EngineName, GruClassifier, type ModelLimits } from '@gruvision/classifier';
import type { ImageSet } from '@gruvision/data';
import type { Command } from 'commander';
import { modelLimitsFrom } from '../model-limits';
import { nonNegativeInt, positiveInt, positiveNumber } from '../options';
import type { Output } from '../ui/io';
import { progressCallbacks, TrainingProgress } from '../ui/progress';
import {
  addEngineOption,
  addInputLimitOptions,
  addJsonOption,
  addThreadsOption,
  type CliCell,
  DATASET_HELP,
  engineFor,
  inputLimitsFrom,
  loadData,
  threadsFor,
  toCellType,
} from './shared';

/** One trained-and-tested configuration of `compare` or `sweep`. */
export interface ExperimentResult {
  readonly cell: CliCell;
  readonly units: number;
  readonly parameters: number;
  readonly testAccuracy: number;
  readonly testLoss: number;
  readonly epochs: number;
  readonly secondsPerEpoch: number;
  readonly samplesPerSecond: number;
}

/** The budget every configuration of a comparison gets. */
export interface ExperimentBudget {
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly seed: number;
  readonly engine: EngineName;
  readonly threads: number;
  readonly layers: number;
  /** The model size limits of the flags (`--max-units`, …). */
  readonly limits: ModelLimits;
}

/** Options shared by `compare` and `sweep`: the data and the training budget. */
export function addExperimentOptions(command: Command): Command {
  command
    .option('--dataset <spec>', DATASET_HELP, 'mnist')
    .option('--limit <n>', 'train on a stratified subset of n images', positiveInt, 10_000)
    .option('--test-limit <n>', 'test on a stratified subset of n images', positiveInt, 2_000)
    .option('--layers <n>', 'stacked recurrent layers', positiveInt, 1)
    .option('--epochs <n>', 'epochs per configuration', positiveInt, 2)
    .option('--batch-size <n>', 'images per training step', positiveInt, 64)
    .option('--lr <rate>', 'Adam learning rate', positiveNumber, 2e-3)
    .option('--seed <n>', 'seed (the same for every configuration)', nonNegativeInt, 0);
  addEngineOption(command);
  addThreadsOption(command);
  addInputLimitOptions(command);
  addJsonOption(command);
  return command;
}

export function budgetFrom(raw: Record<string, unknown>): ExperimentBudget {
  return {
    epochs: raw.epochs as number,
    batchSize: raw.batchSize as number,
    lr: raw.lr as number,
    seed: raw.seed as number,
    engine: raw.engine as EngineName,
    threads: threadsFor(raw.engine as EngineName, raw.threads as number | undefined),
    layers: raw.layers as number,
    limits: modelLimitsFrom(raw),
  };
}

/**
 * Loads the data the options name (`--dataset`, `--limit`, `--test-limit`) once and trains and tests
 * every configuration on it with the same budget, in order.
 */
export async function runExperiments(
  raw: Record<string, unknown>,
  configs: readonly { cell: CliCell; units: number }[],
  output: Output,
): Promise<{ results: ExperimentResult[]; budget: ExperimentBudget; train: ImageSet; test: ImageSet }> {
  const budget = budgetFrom(raw);
  const { train, test } = await loadData(raw.dataset as string, output, {
    seed: budget.seed,
    limit: raw.limit as number,
    testLimit: raw.testLimit as number,
    inputLimits: inputLimitsFrom(raw),
  });
  const results: ExperimentResult[] = [];
  for (const config of configs) results.push(await runExperiment(train, test, config, budget, output));
  return { results, budget, train, test };
}

/** Trains one configuration with the shared budget and tests it. */
export async function runExperiment(
  train: ImageSet,
  test: ImageSet,
  config: { cell: CliCell; units: number },
  budget: ExperimentBudget,
  output: Output,
): Promise<ExperimentResult> {
  const model = await GruClassifier.create({
    classNames: train.classNames,
    height: train.height,
    width: train.width,
    channels: train.channels,
    cell: toCellType(config.cell),
    units: config.units,
    layers: budget.layers,
    seed: budget.seed,
    engine: await engineFor(budget.engine, budget.threads),
    limits: budget.limits,
  });
  output.log(`${config.cell.toUpperCase()}-${config.units}: ${model.parameterCount} parameters`);
  const progress = new TrainingProgress(output, {
    name: `${config.cell.toUpperCase()}-${config.units}`,
    fields: { cell: config.cell, units: config.units },
  });
  try {
    const history = await model.fit(train, {
      epochs: budget.epochs,
      batchSize: budget.batchSize,
      learningRate: budget.lr,
      schedule: { type: 'cosine' },
      ...progressCallbacks(progress, budget.epochs),
    });
    const e = await model.evaluate(test);
    const logs = history.epochs;
    const seconds = logs.reduce((a, l) => a + l.seconds, 0);
    const result: ExperimentResult = {
      cell: config.cell,
      units: config.units,
      parameters: model.parameterCount,
      testAccuracy: e.accuracy,
      testLoss: e.loss,
      epochs: logs.length,
      secondsPerEpoch: seconds / Math.max(1, logs.length),
      samplesPerSecond: logs.reduce((a, l) => a + l.samplesPerSecond, 0) / Math.max(1, logs.length),
    };
    output.event('result', { ...result });
    return result;
  } finally {
    progress.clear();
    model.dispose();
  }
}
