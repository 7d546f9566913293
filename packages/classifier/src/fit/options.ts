import {
  AUGMENT_OPTION_KEYS,
  type AugmentOptions,
  checkAugmentOptions,
  type ImageSet,
} from '@gruvision/data';
import type { OptimizerSpec } from '@gruvision/math';
import type { ModelArtifacts } from '../artifact';
import type { Checkpoint, EpochLog } from '../checkpoint';
import { checkOptionKeys } from '../option-keys';
import type { BatchEndInfo, Callback, TrainBeginInfo } from './callbacks';
import type { ClassWeight } from './loss-weights';
import type { LearningRateSchedule } from './schedule';

/** Metrics early stopping can watch. */
export type MonitoredMetric = 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy';

/** Stop when the monitored metric has not improved for `patience` epochs. */
export interface EarlyStoppingOptions {
  /** Default `'valLoss'` with validation data, `'loss'` without. */
  readonly monitor?: MonitoredMetric;
  /** Epochs without improvement before stopping. Default 3. */
  readonly patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
  /** Put the best epoch's weights back at the end. Default true. */
  readonly restoreBestWeights?: boolean;
}

export type { BatchEndInfo, History, TrainBeginInfo } from './callbacks';

/** Lower the learning rate when the monitored metric stops improving (Keras `ReduceLROnPlateau`). */
export interface ReduceOnPlateauOptions {
  /** Default `'valLoss'` with validation data, `'loss'` without. */
  readonly monitor?: MonitoredMetric;
  /** Multiplies the learning rate. Default 0.1. */
  readonly factor?: number;
  /** Epochs without improvement before a reduction. Default 10. */
  readonly patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
  /** The learning rate never goes below this. Default 0. */
  readonly minLearningRate?: number;
}

/** The best epoch's model, as `keepBest.save` gets it. */
export interface BestModel {
  /** Epoch (from 1). */
  readonly epoch: number;
  readonly monitor: MonitoredMetric;
  /** The monitored metric's value at that epoch. */
  readonly value: number;
  /** The model with that epoch's weights (save it with its files, e.g. as a model folder). */
  readonly artifacts: ModelArtifacts;
}

/**
 * Keep the best epoch's model apart from the checkpoints (`latest` is the newest epoch, not the best):
 * `save` gets it after every epoch that improves `monitor`. With early stopping on the same monitor and
 * `minDelta`, the saved model is the one early stopping restores.
 */
export interface KeepBestOptions {
  /** Default `'valLoss'` with validation data, `'loss'` without. */
  readonly monitor?: MonitoredMetric;
  /** Smallest change that counts as an improvement. Default 0. */
  readonly minDelta?: number;
  readonly save: (best: BestModel) => void | Promise<void>;
}

/** Progress callbacks. They may be async; training waits for them. */
export interface FitCallbacks {
  readonly onTrainBegin?: (info: TrainBeginInfo) => void | Promise<void>;
  readonly onEpochBegin?: (info: {
    epoch: number;
    epochs: number;
    learningRate: number;
  }) => void | Promise<void>;
  readonly onEpochEnd?: (log: EpochLog) => void | Promise<void>;
  readonly onBatchEnd?: (info: BatchEndInfo) => void | Promise<void>;
}

/** Where checkpoints go: `save` gets one after every `every` epochs (default 1) and after the last one. */
export interface CheckpointOptions {
  readonly save: (checkpoint: Checkpoint) => void | Promise<void>;
  readonly every?: number;
}

/** Options of `fit`. Every field has a default. */
export interface FitOptions extends FitCallbacks {
  /** Default 10. */
  readonly epochs?: number;
  /** Default 128. */
  readonly batchSize?: number;
  /** A validation set, or the fraction of `train` to hold out (stratified, seeded by the model seed). */
  readonly validation?: ImageSet | number;
  /** A full optimizer spec or its type. Default `'adam'`. */
  readonly optimizer?: OptimizerSpec | OptimizerSpec['type'];
  /** Default 1e-3 (or the optimizer spec's own). */
  readonly learningRate?: number;
  readonly schedule?: LearningRateSchedule;
  readonly earlyStopping?: EarlyStoppingOptions;
  readonly reduceOnPlateau?: ReduceOnPlateauOptions;
  /** Save the best epoch's model (by a monitored metric) each time it improves; survives resume. */
  readonly keepBest?: KeepBestOptions;
  /** Clip gradients to this global norm. */
  readonly clipNorm?: number;
  /** L2 penalty on kernels: `l2 · Σ w²` is added to the loss. */
  readonly l2?: number;
  /** L1 penalty on kernels: `l1 · Σ |w|` is added to the loss. */
  readonly l1?: number;
  readonly labelSmoothing?: number;
  /**
   * Loss weight per class: `'balanced'` (`n / (classes · count_c)` over the images trained on),
   * one weight per class in label order, or `{ className: weight }` (others weigh 1). The loss is
   * Keras's Σᵢ wᵢ·lossᵢ / batch size (not PyTorch's / Σᵢ wᵢ), the training loss reported is that
   * weighted loss; validation loss and accuracy stay unweighted.
   */
  readonly classWeight?: ClassWeight;
  /** Loss weight per image of the set passed to `fit` (finite, ≥ 0), multiplied by its class weight. */
  readonly sampleWeight?: ArrayLike<number>;
  /** Input dropout of every recurrent layer (changes the spec; weights are kept). */
  readonly dropout?: number;
  readonly recurrentDropout?: number;
  /** Dropout before the dense head. */
  readonly headDropout?: number;
  /** Random shifts, rotations, scaling, elastic distortion, noise and cutout while training (seeded; off by default). */
  readonly augment?: AugmentOptions;
  /** Default true. */
  readonly shuffle?: boolean;
  /** Stops training after the current batch; `fit` then resolves with `stopReason: 'aborted'`. */
  readonly signal?: AbortSignal;
  readonly checkpoint?: CheckpointOptions;
  /**
   * Also save a checkpoint within long epochs: after every N batches (`{ batches: N }`) or when S
   * seconds have passed since the last save (`{ seconds: S }`). Resuming from one continues mid-epoch
   * and ends with the same weights as an uninterrupted run. Needs `checkpoint`.
   */
  readonly checkpointEvery?: { readonly batches: number } | { readonly seconds: number };
  /** Continue from a checkpoint of this same model and training setup. */
  readonly resumeFrom?: Checkpoint;
  /**
   * Your own callbacks (`onTrainBegin`, `onEpochBegin`, `onBatchBegin`, `onBatchEnd`, `onEpochEnd`,
   * `onTrainEnd`), called in order after the ones `fit` builds from these options.
   */
  readonly callbacks?: readonly Callback[];
}

const FIT_OPTION_KEYS = {
  epochs: true,
  batchSize: true,
  validation: true,
  optimizer: true,
  learningRate: true,
  schedule: true,
  earlyStopping: true,
  reduceOnPlateau: true,
  keepBest: true,
  clipNorm: true,
  l2: true,
  l1: true,
  labelSmoothing: true,
  classWeight: true,
  sampleWeight: true,
  dropout: true,
  recurrentDropout: true,
  headDropout: true,
  augment: true,
  shuffle: true,
  signal: true,
  checkpoint: true,
  checkpointEvery: true,
  resumeFrom: true,
  callbacks: true,
  onTrainBegin: true,
  onEpochBegin: true,
  onEpochEnd: true,
  onBatchEnd: true,
} as const satisfies Record<keyof FitOptions, true>;

const EARLY_STOPPING_KEYS = {
  monitor: true,
  patience: true,
  minDelta: true,
  restoreBestWeights: true,
} as const satisfies Record<keyof EarlyStoppingOptions, true>;

const PLATEAU_KEYS = {
  monitor: true,
  factor: true,
  patience: true,
  minDelta: true,
  minLearningRate: true,
} as const satisfies Record<keyof ReduceOnPlateauOptions, true>;

const KEEP_BEST_KEYS = { monitor: true, minDelta: true, save: true } as const satisfies Record<
  keyof KeepBestOptions,
  true
>;

const CHECKPOINT_KEYS = { save: true, every: true } as const satisfies Record<keyof CheckpointOptions, true>;

/** Refuses unknown keys in `fit` options and their nested objects, and augmentation values out of range, with `INVALID_ARGUMENT`. */
export function checkFitOptionKeys(options: FitOptions): void {
  checkOptionKeys(options, FIT_OPTION_KEYS, 'fit');
  checkOptionKeys(options.earlyStopping, EARLY_STOPPING_KEYS, 'fit: earlyStopping');
  checkOptionKeys(options.checkpoint, CHECKPOINT_KEYS, 'fit: checkpoint');
  checkOptionKeys(options.reduceOnPlateau, PLATEAU_KEYS, 'fit: reduceOnPlateau');
  checkOptionKeys(options.keepBest, KEEP_BEST_KEYS, 'fit: keepBest');
  checkOptionKeys(options.augment, AUGMENT_OPTION_KEYS, 'fit: augment');
  if (options.augment) checkAugmentOptions(options.augment, 'fit: augment');
}
