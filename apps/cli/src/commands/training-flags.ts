import type { FitOptions, GruClassifierOptions } from '@gruvision/classifier';
import { type AugmentOptions, checkAugmentOptions, GruDataError } from '@gruvision/data';
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
  /** Training-time augmentation (`--augment`). */
  readonly augment?: AugmentOptions;
  /** `--skip-invalid`: a `folder:` dataset skips unreadable files (listed) instead of failing. */
  readonly skipInvalid?: boolean;
  /** `--reduce-on-plateau <epochs>`: epochs without improvement before the learning rate is reduced. */
  readonly reduceOnPlateau?: number;
  /** `--plateau-factor <f>`: what the learning rate is multiplied by on a plateau. */
  readonly plateauFactor?: number;
  /** `--keep-best [val_loss|val_accuracy]`: the model saved is the best validation epoch's. */
  readonly keepBest?: 'valLoss' | 'valAccuracy';
  /** `--class-weight`: `'balanced'` or `{ class name or label index: weight }`. */
  readonly classWeight?: 'balanced' | Readonly<Record<string, number>>;
}

/** The library's reduce-on-plateau factor, used when `--plateau-factor` is not given. */
export const DEFAULT_PLATEAU_FACTOR = 0.1;

function factorBelowOne(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) {
    throw new InvalidArgumentError(`expected a number between 0 and 1 (e.g. 0.5), got "${value}".`);
  }
  return n;
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
  'augment',
  'skipInvalid',
  'reduceOnPlateau',
  'plateauFactor',
  'classWeight',
  'keepBest',
] as const;

export const SKIP_INVALID_HELP =
  'folder datasets: skip files that are not readable PNG/JPEG images (a stray notes.txt) instead of stopping; ' +
  'the skipped files are listed (stderr, and "skipped" in --json)';

/** `--skip-invalid`, for every command that reads a dataset. */
export function addSkipInvalidOption(command: Command): Command {
  return command.option('--skip-invalid', SKIP_INVALID_HELP);
}

/** `--augment` keys and the library options they set. */
const AUGMENT_FLAG_KEYS = {
  shift: 'maxShift',
  rotate: 'rotate',
  scale: 'scale',
  elastic: 'elastic',
  'elastic-sigma': 'elasticSigma',
  noise: 'noise',
  cutout: 'cutout',
} as const satisfies Record<string, keyof AugmentOptions>;

export const AUGMENT_HELP =
  'random changes to training images, comma-separated key=value: shift=<pixels> (whole), rotate=<degrees>, ' +
  'scale=<fraction> (factor in [1−s, 1+s]), elastic=<pixels> (Simard elastic distortion strength; ' +
  'elastic-sigma=<pixels>, default 4), noise=<fraction of 255> (Gaussian), cutout=<pixels> (side of an erased square). ' +
  'Seeded by --seed; off by default';

/** Parses `--augment shift=2,rotate=10,…` into library options, checking every value's range. */
export function parseAugment(value: string): AugmentOptions {
  const options: Record<string, number> = {};
  const valid = Object.keys(AUGMENT_FLAG_KEYS).join(', ');
  for (const part of value.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const match = /^([a-z-]+)=(.*)$/.exec(part);
    const key = match?.[1] as keyof typeof AUGMENT_FLAG_KEYS | undefined;
    if (!match || key === undefined || !(key in AUGMENT_FLAG_KEYS)) {
      throw new InvalidArgumentError(
        `"${part}" is not key=value with a key of ${valid} (e.g. --augment rotate=10,scale=0.1,cutout=8).`,
      );
    }
    const n = Number(match[2]);
    if (match[2]!.trim() === '' || !Number.isFinite(n)) {
      throw new InvalidArgumentError(
        `${key}=${match[2]}: expected a number (e.g. ${key}=${key === 'shift' ? 2 : 1}).`,
      );
    }
    options[AUGMENT_FLAG_KEYS[key]] = n;
  }
  if (Object.keys(options).length === 0) {
    throw new InvalidArgumentError(`expected key=value pairs with keys ${valid}, got "${value}".`);
  }
  try {
    checkAugmentOptions(options, 'augment');
  } catch (error) {
    if (!GruDataError.isInstance(error)) throw error;
    // The library names its own keys; say it with the flag's.
    const libraryKey = /^augment\.(\w+)/.exec(error.message)?.[1];
    const flagKey = Object.entries(AUGMENT_FLAG_KEYS).find(([, k]) => k === libraryKey)?.[0] ?? libraryKey;
    throw new InvalidArgumentError(
      error.message.replace(/^augment\.\w+/, flagKey ?? '').replace(/e\.g\. \w+: /, `e.g. ${flagKey}=`),
    );
  }
  return options as AugmentOptions;
}

export const CLASS_WEIGHT_HELP =
  'loss weight per class: balanced (n / (classes · images of the class), as Keras and scikit-learn) or ' +
  'class=weight pairs, comma-separated, by class name or label index (0=1,1=2.5; classes left out weigh 1). ' +
  'The loss is Σ wᵢ·lossᵢ / batch size (Keras), the training loss shown is weighted, validation is not';

/** Parses `--class-weight balanced` or `--class-weight 0=1,cat=2.5` (values finite and ≥ 0). */
export function parseClassWeight(value: string): 'balanced' | Record<string, number> {
  if (value.trim() === 'balanced') return 'balanced';
  const weights: Record<string, number> = {};
  for (const part of value.split(',').map((p) => p.trim())) {
    if (part === '') continue;
    const match = /^(.+?)=(.*)$/.exec(part);
    const n = Number(match?.[2]);
    if (!match || match[2]!.trim() === '' || !Number.isFinite(n) || n < 0) {
      throw new InvalidArgumentError(
        `"${part}" is not class=weight with a weight ≥ 0 (e.g. --class-weight 0=1,1=2.5, or --class-weight balanced).`,
      );
    }
    weights[match[1]!.trim()] = n;
  }
  if (Object.keys(weights).length === 0) {
    throw new InvalidArgumentError(`expected balanced or class=weight pairs, got "${value}".`);
  }
  return weights;
}

/** `--keep-best` metrics and the library's names for them. */
const KEEP_BEST_METRICS = { val_loss: 'valLoss', val_accuracy: 'valAccuracy' } as const;

export const KEEP_BEST_HELP =
  'keep the best epoch by validation loss (default) or val_accuracy: saved apart from the checkpoints after every ' +
  'better epoch (<out>.checkpoints/best, kept across --resume), and the model saved to --out and tested is that ' +
  "epoch's; --early-stopping then watches the same metric";

function keepBestMetric(value: string): 'valLoss' | 'valAccuracy' {
  const metric = KEEP_BEST_METRICS[value as keyof typeof KEEP_BEST_METRICS];
  if (metric === undefined) {
    throw new InvalidArgumentError(`expected val_loss or val_accuracy, got "${value}".`);
  }
  return metric;
}

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
    )
    .option('--augment <list>', AUGMENT_HELP, parseAugment)
    .option(
      '--reduce-on-plateau <epochs>',
      'multiply the learning rate by --plateau-factor after <epochs> epochs without improvement of the ' +
        'validation loss (training loss without --validation), on top of --schedule',
      positiveInt,
    )
    .option(
      '--plateau-factor <f>',
      `with --reduce-on-plateau: the factor, between 0 and 1 (default ${DEFAULT_PLATEAU_FACTOR})`,
      factorBelowOne,
    )
    .option('--class-weight <balanced|list>', CLASS_WEIGHT_HELP, parseClassWeight)
    .option('--keep-best [metric]', KEEP_BEST_HELP, keepBestMetric)
    .option('--skip-invalid', SKIP_INVALID_HELP);
}

/** The entries of `source` named by `keys` whose value is not undefined: an absent flag stays absent. */
function definedOf<T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> {
  const out: Partial<Pick<T, K>> = {};
  for (const key of keys) if (source[key] !== undefined) out[key] = source[key];
  return out;
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
  if (raw.plateauFactor !== undefined && raw.reduceOnPlateau === undefined) {
    throw new UsageError(
      '--plateau-factor needs --reduce-on-plateau <epochs> (how many epochs without improvement to wait).',
    );
  }
  const pick = <K extends keyof TrainingFlags>(key: K): Partial<TrainingFlags> =>
    definedOf(raw as Partial<TrainingFlags>, [key]);
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
    ...pick('augment'),
    ...(raw.skipInvalid ? { skipInvalid: true } : {}),
    ...pick('reduceOnPlateau'),
    ...pick('plateauFactor'),
    ...pick('classWeight'),
    ...(raw.keepBest !== undefined
      ? { keepBest: raw.keepBest === true ? 'valLoss' : (raw.keepBest as 'valLoss' | 'valAccuracy') }
      : {}),
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
    ...definedOf(flags, ['recurrentDropout', 'headDropout', 'l1', 'l2', 'labelSmoothing']),
    ...(flags.patience !== undefined
      ? {
          earlyStopping: {
            patience: flags.patience,
            // With --keep-best, early stopping restores the epoch keep-best saved.
            ...(flags.keepBest !== undefined ? { monitor: flags.keepBest } : {}),
          },
        }
      : {}),
    ...(flags.reduceOnPlateau !== undefined
      ? {
          reduceOnPlateau: {
            patience: flags.reduceOnPlateau,
            factor: flags.plateauFactor ?? DEFAULT_PLATEAU_FACTOR,
          },
        }
      : {}),
    ...definedOf(flags, ['augment', 'classWeight']),
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
