import type { FitOptions, GruClassifierOptions } from '@gruvision/classifier';
import type { RecurrentActivation } from '@gruvision/math';
import { RECURRENT_ACTIVATIONS } from '@gruvision/math';
import { type Command, InvalidArgumentError } from 'commander';
import { UsageError } from '../errors';
import { choice, fraction, nonNegativeInt, positiveInt } from '../options';

/**
 * The library's training features beyond the basic ones, as `gruvision train` flags. Kept in
 * `train-settings.json` under `training`, so `--resume` repeats them.
 */
export interface TrainingFlags {
  readonly recurrentDropout?: number;
  readonly headDropout?: number;
  readonly l1?: number;
  readonly l2?: number;
  readonly labelSmoothing?: number;
  /** Patience in epochs; present when early stopping is on. */
  readonly patience?: number;
  readonly recurrentActivation?: RecurrentActivation;
  readonly goBackwards?: boolean;
  readonly permutationSeed?: number;
}

/** Default patience of `--early-stopping` without `--patience` (the library's default). */
export const DEFAULT_PATIENCE = 3;

function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError(`expected a number ≥ 0, got "${value}".`);
  }
  return n;
}

/** Commander option names (camelCase) of these flags: `--resume` refuses them, since the run keeps its own. */
export const TRAINING_FLAG_OPTIONS = [
  'recurrentDropout',
  'headDropout',
  'l1',
  'l2',
  'labelSmoothing',
  'earlyStopping',
  'patience',
  'recurrentActivation',
  'goBackwards',
  'permutationSeed',
] as const;

export function addTrainingFlags(command: Command): Command {
  return command
    .option('--recurrent-dropout <rate>', 'dropout of the recurrent state inside every layer', fraction)
    .option('--head-dropout <rate>', 'dropout before the dense head', fraction)
    .option('--l1 <n>', 'L1 penalty on kernels (l1 · Σ|w| added to the loss)', nonNegativeNumber)
    .option('--l2 <n>', 'L2 penalty on kernels (l2 · Σw² added to the loss)', nonNegativeNumber)
    .option('--label-smoothing <n>', 'label smoothing of the cross-entropy target', fraction)
    .option(
      '--early-stopping',
      `stop when validation loss (training loss without --validation) stops improving; keeps the best epoch's weights`,
    )
    .option(
      '--patience <epochs>',
      `epochs without improvement before early stopping (implies --early-stopping; default ${DEFAULT_PATIENCE})`,
      positiveInt,
    )
    .option(
      '--recurrent-activation <name>',
      `gate activation of GRU/LSTM: ${RECURRENT_ACTIVATIONS.join(' | ')}`,
      choice(RECURRENT_ACTIVATIONS),
    )
    .option('--go-backwards', 'every recurrent layer reads the sequence last step first')
    .option(
      '--permutation-seed <n>',
      'reorder the time steps by a fixed seeded permutation (permuted MNIST)',
      nonNegativeInt,
    );
}

/** The flags given on the command line, without defaults (absent flags stay absent). */
export function trainingFlagsFrom(raw: Record<string, unknown>, cell: string): TrainingFlags {
  const patience =
    raw.patience !== undefined ? (raw.patience as number) : raw.earlyStopping ? DEFAULT_PATIENCE : undefined;
  if (raw.recurrentActivation !== undefined && cell === 'rnn') {
    throw new UsageError(
      '--recurrent-activation only applies to --cell gru or lstm (a simple RNN has no gates).',
    );
  }
  const pick = <K extends keyof TrainingFlags>(key: K): Partial<TrainingFlags> =>
    raw[key] !== undefined ? { [key]: raw[key] } : {};
  return {
    ...pick('recurrentDropout'),
    ...pick('headDropout'),
    ...pick('l1'),
    ...pick('l2'),
    ...pick('labelSmoothing'),
    ...(patience !== undefined ? { patience } : {}),
    ...pick('recurrentActivation'),
    ...(raw.goBackwards ? { goBackwards: true } : {}),
    ...pick('permutationSeed'),
  };
}

/** What the flags add to `GruClassifier.create` (the view's permutation is in {@link viewFlags}). */
export function createOptionsFor(flags: TrainingFlags | undefined): Partial<GruClassifierOptions> {
  return {
    ...(flags?.recurrentActivation !== undefined ? { recurrentActivation: flags.recurrentActivation } : {}),
    ...(flags?.goBackwards ? { goBackwards: true } : {}),
  };
}

/** What the flags add to the sequence view. */
export function viewFlags(flags: TrainingFlags | undefined): { permutationSeed?: number } {
  return flags?.permutationSeed !== undefined ? { permutationSeed: flags.permutationSeed } : {};
}

/** What the flags add to `fit`. */
export function fitOptionsFor(flags: TrainingFlags | undefined): Partial<FitOptions> {
  if (flags === undefined) return {};
  return {
    ...(flags.recurrentDropout !== undefined ? { recurrentDropout: flags.recurrentDropout } : {}),
    ...(flags.headDropout !== undefined ? { headDropout: flags.headDropout } : {}),
    ...(flags.l1 !== undefined ? { l1: flags.l1 } : {}),
    ...(flags.l2 !== undefined ? { l2: flags.l2 } : {}),
    ...(flags.labelSmoothing !== undefined ? { labelSmoothing: flags.labelSmoothing } : {}),
    ...(flags.patience !== undefined ? { earlyStopping: { patience: flags.patience } } : {}),
  };
}

/** `--resume` keeps the run's training flags: refuse any given again rather than silently ignore it. */
export function refuseTrainingFlagsOnResume(command: Command): void {
  for (const option of TRAINING_FLAG_OPTIONS) {
    if (command.getOptionValueSource(option) === 'cli') {
      const flag = `--${option.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
      throw new UsageError(
        `${flag} cannot be given with --resume: the run keeps the training flags it started with. Drop ${flag}, or start a new run with another --out.`,
      );
    }
  }
}
