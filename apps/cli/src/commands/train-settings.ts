// The settings of `gruvision train`: defaults, the train-settings.json a run writes, and reading them back
// for `--resume`. The command itself is in train.ts.
import { dirname } from 'node:path';
import type { EngineName, FitOptions, LearningRateSchedule } from '@gruvision/classifier';
import type { OptimizerSpec } from '@gruvision/math';
import { readConfinedFile } from '@gruvision/math/node';
import type { Command } from 'commander';
import { CliError } from '../errors';
import { choice, fraction, positiveInt, positiveNumber } from '../options';
import {
  addEngineOption,
  addInputLimitOptions,
  addJsonOption,
  addThreadsOption,
  type CliCell,
} from './shared';
import { addTrainingFlags, fitOptionsFor, type TrainingFlags } from './training-flags';

/** Defaults of `gruvision train`, chosen to pass 98% test accuracy on MNIST in a few minutes. */
export const TRAIN_DEFAULTS = {
  dataset: 'mnist',
  view: 'rows',
  cell: 'gru',
  units: 128,
  layers: 1,
  epochs: 4,
  batchSize: 64,
  lr: 2e-3,
  optimizer: 'adam',
  schedule: 'cosine',
  validation: 0.05,
  seed: 0,
} as const;

export const VIEWS = ['rows', 'columns', 'pixels', 'patches'] as const;
export const OPTIMIZERS = ['adam', 'adamw', 'sgd', 'rmsprop'] as const;
export const SCHEDULES = ['constant', 'cosine', 'step'] as const;

/** Everything that defines a training run; saved beside the checkpoints so `--resume` repeats it. */
export interface TrainSettings {
  readonly dataset: string;
  readonly view: (typeof VIEWS)[number];
  readonly patchSize: number;
  readonly cell: CliCell;
  readonly units: number;
  readonly layers: number;
  readonly bidirectional: boolean;
  readonly resetAfter: boolean;
  readonly epochs: number;
  readonly batchSize: number;
  readonly lr: number;
  readonly optimizer: (typeof OPTIMIZERS)[number];
  readonly schedule: (typeof SCHEDULES)[number];
  readonly dropout: number;
  readonly clipNorm?: number;
  readonly seed: number;
  readonly validation: number;
  readonly limit?: number;
  readonly testLimit?: number;
  readonly engine: EngineName;
  readonly threads: number;
  readonly out: string;
  /** Regularization and model flags of training-flags.ts. */
  readonly training?: TrainingFlags;
  /** `--preset`: the recipe whose values filled in the flags not given (the values above are resolved). */
  readonly preset?: 'best';
  /** Identifies the run: stamped into every checkpoint, checked on resume. */
  readonly runId?: string;
}

export const SETTINGS_FILE = 'train-settings.json';

export function slug(dataset: string): string {
  const [scheme, rest] = dataset.split(/:(.*)/s);
  const base = rest
    ? `${scheme}-${rest
        .replace(/[\\/]+$/, '')
        .split(/[\\/]/)
        .pop()}`
    : dataset;
  return base.replace(/[^a-zA-Z0-9._-]+/g, '-');
}

export function schedule(kind: TrainSettings['schedule'], epochs: number): LearningRateSchedule | undefined {
  if (kind === 'cosine') return { type: 'cosine', warmupEpochs: epochs > 2 ? 0.25 : 0 };
  if (kind === 'step') return { type: 'step', everyEpochs: Math.max(1, Math.floor(epochs / 3)), gamma: 0.3 };
  return undefined;
}

export function optimizerSpec(settings: Pick<TrainSettings, 'optimizer' | 'lr'>): OptimizerSpec {
  if (settings.optimizer === 'sgd')
    return { type: 'sgd', learningRate: settings.lr, momentum: 0.9, nesterov: true };
  return { type: settings.optimizer, learningRate: settings.lr };
}

/** What `fit` is told by a run's settings: everything but the data, the callbacks and the checkpoints. */
export type FitSettings = Pick<
  TrainSettings,
  'epochs' | 'batchSize' | 'lr' | 'optimizer' | 'schedule' | 'dropout' | 'clipNorm' | 'training'
>;

/** The `fit` options of `train`, `compare` and `sweep`: the optimizer, the schedule and the training flags. */
export function fitOptionsFrom(settings: FitSettings): FitOptions {
  const lrSchedule = schedule(settings.schedule, settings.epochs);
  return {
    epochs: settings.epochs,
    batchSize: settings.batchSize,
    optimizer: optimizerSpec(settings),
    learningRate: settings.lr,
    ...(lrSchedule ? { schedule: lrSchedule } : {}),
    ...(settings.clipNorm !== undefined ? { clipNorm: settings.clipNorm } : {}),
    ...(settings.dropout > 0 ? { dropout: settings.dropout } : {}),
    ...fitOptionsFor(settings.training),
  };
}

/** `--batch-size --lr --optimizer --schedule --dropout --clip-norm`, one definition for train, compare and sweep. */
export function addOptimizationOptions(command: Command): Command {
  return command
    .option('--batch-size <n>', 'images per training step', positiveInt, TRAIN_DEFAULTS.batchSize)
    .option('--lr <rate>', 'learning rate', positiveNumber, TRAIN_DEFAULTS.lr)
    .option(
      '--optimizer <name>',
      'adam | adamw | sgd | rmsprop',
      choice(OPTIMIZERS),
      TRAIN_DEFAULTS.optimizer,
    )
    .option(
      '--schedule <kind>',
      'learning-rate schedule: constant | cosine | step',
      choice(SCHEDULES),
      TRAIN_DEFAULTS.schedule,
    )
    .option('--dropout <rate>', 'input dropout of the recurrent layers', fraction, 0)
    .option('--clip-norm <n>', 'clip gradients to this global norm', positiveNumber);
}

/**
 * Everything `train`, `compare` and `sweep` share after their own options: the optimization options, the
 * training flags, the engine and threads, the input limits and `--json`.
 */
export function addTrainingRunOptions(command: Command): Command {
  addOptimizationOptions(command);
  addTrainingFlags(command);
  addEngineOption(command);
  addThreadsOption(command);
  addInputLimitOptions(command);
  return addJsonOption(command);
}

/** The values of {@link addOptimizationOptions} and the training flags, as `FitSettings`. */
export function fitSettingsFrom(
  raw: Record<string, unknown>,
  epochs: number,
  training: TrainingFlags,
): FitSettings {
  return {
    epochs,
    batchSize: raw.batchSize as number,
    lr: raw.lr as number,
    optimizer: raw.optimizer as TrainSettings['optimizer'],
    schedule: raw.schedule as TrainSettings['schedule'],
    dropout: raw.dropout as number,
    ...(raw.clipNorm !== undefined ? { clipNorm: raw.clipNorm as number } : {}),
    training,
  };
}

export async function readSettings(
  checkpointPath: string,
): Promise<{ settings: TrainSettings; dir: string }> {
  for (const dir of [checkpointPath, dirname(checkpointPath)]) {
    const read = await readConfinedFile(dir, SETTINGS_FILE, { maxBytes: 1024 * 1024 });
    if (!read.ok) {
      if (read.problem === 'missing') continue; // --resume may name one epoch folder: try the parent
      throw new CliError(`${read.path} cannot be used (${read.problem}: ${read.detail}). Start a new run.`);
    }
    let settings: unknown;
    try {
      settings = JSON.parse(new TextDecoder().decode(read.bytes));
    } catch {
      throw new CliError(
        `${read.path} is not valid JSON: the settings of this run are damaged. Start a new run with \`gruvision train\`.`,
      );
    }
    const s = settings as Partial<TrainSettings> | null;
    if (typeof s !== 'object' || s === null || typeof s.dataset !== 'string' || typeof s.out !== 'string') {
      throw new CliError(
        `${read.path} does not hold training settings. Start a new run with \`gruvision train\`.`,
      );
    }
    return { settings: s as TrainSettings, dir };
  }
  throw new CliError(
    `${checkpointPath} is not a gruvision train checkpoint directory (no ${SETTINGS_FILE}). ` +
      'Pass the <out>.checkpoints directory that `gruvision train` printed.',
  );
}

/** Options whose value defines the run: on `--resume` they must agree with the run's settings. */
export const RUN_OPTIONS: readonly [option: string, key: keyof TrainSettings][] = [
  ['dataset', 'dataset'],
  ['view', 'view'],
  ['patchSize', 'patchSize'],
  ['cell', 'cell'],
  ['units', 'units'],
  ['layers', 'layers'],
  ['bidirectional', 'bidirectional'],
  ['resetAfter', 'resetAfter'],
  ['batchSize', 'batchSize'],
  ['lr', 'lr'],
  ['optimizer', 'optimizer'],
  ['schedule', 'schedule'],
  ['dropout', 'dropout'],
  ['clipNorm', 'clipNorm'],
  ['seed', 'seed'],
  ['validation', 'validation'],
  ['limit', 'limit'],
  ['testLimit', 'testLimit'],
  ['out', 'out'],
];

export const flag = (option: string) => `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
