import type { NamedWeights, Network } from '@gruvision/math';
import type { EpochLog } from '../checkpoint';

/** Sent once before the first epoch. */
export interface TrainBeginInfo {
  readonly engine: string;
  readonly epochs: number;
  /** First epoch (from 1) that will run: > 1 when resuming. */
  readonly startEpoch: number;
  readonly batchSize: number;
  readonly batchesPerEpoch: number;
  readonly trainCount: number;
  readonly validationCount: number;
  readonly parameters: number;
}

/** Sent after every batch. Loss and accuracy are running means over the epoch so far. */
export interface BatchEndInfo {
  readonly epoch: number;
  readonly epochs: number;
  /** Batch of the epoch, from 1. */
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly batchLoss: number;
  readonly learningRate: number;
  readonly samplesPerSecond: number;
  /** Estimated seconds until the last epoch ends (validation not included). */
  readonly etaSeconds: number;
}

/** Why training ended. */
export type StopReason = 'completed' | 'earlyStopping' | 'aborted';

/** What `fit` returns. */
export interface History {
  readonly epochs: readonly EpochLog[];
  readonly stopReason: StopReason;
  /** Epoch (from 1) whose weights the model holds when early stopping restored the best ones. */
  readonly bestEpoch?: number;
  /** Training seconds, including earlier runs when resumed. */
  readonly seconds: number;
}

/**
 * The training run a callback sees and steers: the network being trained, where training is, the
 * learning rate of the next batch, and the state a checkpoint keeps.
 */
export interface FitRun {
  readonly network: Network;
  readonly epochs: number;
  readonly batchesPerEpoch: number;
  /** Epoch being trained, from 0. */
  readonly epoch: number;
  /** Batches of the current epoch already trained. */
  readonly batch: number;
  /** Samples in the training set (after the validation split). */
  readonly trainCount: number;
  /** The learning rate the next batch is trained with; a schedule sets it in `onBatchBegin`. */
  learningRate: number;
  /** Finished epochs, oldest first. */
  readonly history: readonly EpochLog[];
  /** Best monitored value so far and its epoch (from 1), kept by early stopping. */
  best: { readonly epoch: number; readonly value: number } | undefined;
  /** Epochs since the best one. */
  wait: number;
  /** The best weights so far, when early stopping restores them at the end. */
  bestWeights: NamedWeights | undefined;
  /** Epoch (from 1) whose weights were put back at the end of training (by early stopping). */
  restoredEpoch: number | undefined;
  /** Training seconds so far, including earlier runs when resumed. */
  seconds(): number;
  /**
   * Asks the loop to stop: `'earlyStopping'` after the current epoch, `'aborted'` after the current
   * batch (the unfinished epoch is not logged).
   */
  stop(reason: 'earlyStopping' | 'aborted'): void;
  /** The stop asked for, if any. */
  readonly stopRequested: 'earlyStopping' | 'aborted' | undefined;
}

/**
 * A training callback, in the shape of Keras callbacks. Every method is optional, may be async
 * (training waits for it), and is called in the order the callbacks are listed: first the ones `fit`
 * builds from its options (learning-rate schedule, NaN guard, progress, early stopping, checkpoints,
 * abort), then the user's own `callbacks`.
 */
export interface Callback {
  onTrainBegin?(info: TrainBeginInfo, run: FitRun): void | Promise<void>;
  /** `epoch` counts from 0. */
  onEpochBegin?(epoch: number, run: FitRun): void | Promise<void>;
  /** Before each batch; `batch` counts from 0 within the epoch. */
  onBatchBegin?(batch: number, run: FitRun): void | Promise<void>;
  onBatchEnd?(info: BatchEndInfo, run: FitRun): void | Promise<void>;
  onEpochEnd?(log: EpochLog, run: FitRun): void | Promise<void>;
  /** After the last epoch (not when training threw). */
  onTrainEnd?(stopReason: StopReason, run: FitRun): void | Promise<void>;
}

type Hook = keyof Callback;
type Argument<K extends Hook> = Parameters<NonNullable<Callback[K]>>[0];

/** Calls `hook` of every callback in order, waiting for each. */
export async function callAll<K extends Hook>(
  callbacks: readonly Callback[],
  hook: K,
  argument: Argument<K>,
  run: FitRun,
): Promise<void> {
  for (const callback of callbacks) {
    const fn = callback[hook] as ((a: Argument<K>, r: FitRun) => void | Promise<void>) | undefined;
    if (fn !== undefined) await fn.call(callback, argument, run);
  }
}
