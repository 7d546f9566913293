import type { BatchResult, NamedWeights, Network } from '@gruvision/math';
import type { EpochLog, PartialEpoch, TrainingState } from '../checkpoint';
import type { BatchEndInfo, FitRun } from './callbacks';

export function performanceNow(): number {
  return globalThis.performance?.now() ?? Date.now();
}

/** Lets timers, I/O and abort signals run between batches. */
export function nextTick(): Promise<void> {
  return new Promise((resolve) => {
    const immediate = (globalThis as { setImmediate?: (fn: () => void) => void }).setImmediate;
    if (immediate) immediate(resolve);
    else setTimeout(resolve, 0);
  });
}

/**
 * The state of one `fit`: where training is, the running sums of the epoch, the history and what
 * early stopping keeps. The loop moves it forward; callbacks read and steer it through `FitRun`.
 */
export class TrainingRun implements FitRun {
  epoch = 0;
  batch = 0;
  learningRate: number;
  readonly history: EpochLog[];
  best: { readonly epoch: number; readonly value: number } | undefined;
  wait: number;
  bestWeights: NamedWeights | undefined;
  /** Epoch (from 1) whose weights early stopping put back at the end. */
  restoredEpoch: number | undefined;
  private stopReason: 'earlyStopping' | 'aborted' | undefined;
  private lossSum = 0;
  private correct = 0;
  private seen = 0;
  private epochStart = 0;
  /** Seconds of the current epoch trained before a resume. */
  private epochBaseSeconds = 0;
  private runStart = 0;
  private samplesThisRun = 0;
  private readonly baseSeconds: number;

  constructor(
    readonly network: Network,
    readonly epochs: number,
    readonly batchesPerEpoch: number,
    readonly trainCount: number,
    learningRate: number,
    state: TrainingState,
    bestWeights: NamedWeights | undefined,
    /** Where a resumed epoch stopped, applied by the first `beginEpoch`. */
    private partial: PartialEpoch | undefined,
  ) {
    this.learningRate = learningRate;
    this.history = [...state.history];
    this.best = state.best;
    this.wait = state.wait;
    this.baseSeconds = state.seconds;
    this.bestWeights = bestWeights;
  }

  get stopRequested(): 'earlyStopping' | 'aborted' | undefined {
    return this.stopReason;
  }

  stop(reason: 'earlyStopping' | 'aborted'): void {
    if (reason === 'earlyStopping' || this.stopReason === undefined) this.stopReason = reason;
  }

  startClock(): void {
    this.runStart = performanceNow();
  }

  seconds(): number {
    return this.baseSeconds + (performanceNow() - this.runStart) / 1000;
  }

  /** Batches of epoch `epoch` trained before a resume (to skip), 0 otherwise. */
  resumedBatches(epoch: number): number {
    return this.partial !== undefined && epoch === this.history.length ? this.partial.batches : 0;
  }

  beginEpoch(epoch: number): void {
    const partial = this.resumedBatches(epoch) > 0 ? this.partial : undefined;
    this.epoch = epoch;
    this.batch = partial?.batches ?? 0;
    this.lossSum = partial?.lossSum ?? 0;
    this.correct = partial?.correct ?? 0;
    this.seen = partial?.seen ?? 0;
    this.epochBaseSeconds = partial?.seconds ?? 0;
    this.partial = undefined;
    this.epochStart = performanceNow();
  }

  /** Adds one trained batch to the epoch's sums and says where training is. */
  recordBatch(result: BatchResult, size: number): BatchEndInfo {
    this.lossSum += result.loss * size;
    this.correct += result.correct;
    this.seen += size;
    this.samplesThisRun += size;
    this.batch++;
    const elapsed = (performanceNow() - this.runStart) / 1000;
    const samplesPerSecond = this.samplesThisRun / Math.max(elapsed, 1e-9);
    const remaining = (this.epochs - this.epoch - 1) * this.trainCount + (this.trainCount - this.seen);
    return {
      epoch: this.epoch + 1,
      epochs: this.epochs,
      batch: this.batch,
      batches: this.batchesPerEpoch,
      loss: this.lossSum / this.seen,
      accuracy: this.correct / this.seen,
      batchLoss: result.loss,
      learningRate: this.learningRate,
      samplesPerSecond,
      etaSeconds: remaining / Math.max(samplesPerSecond, 1e-9),
    };
  }

  /** The running sums of the unfinished epoch, for a checkpoint within it. */
  partialEpoch(): PartialEpoch {
    return {
      batches: this.batch,
      lossSum: this.lossSum,
      correct: this.correct,
      seen: this.seen,
      seconds: this.epochBaseSeconds + (performanceNow() - this.epochStart) / 1000,
    };
  }

  /** Closes the epoch: its seconds (before validation), the validation metrics, the log in the history. */
  async endEpoch(validate: () => Promise<{ loss: number; accuracy: number } | undefined>): Promise<EpochLog> {
    const seconds = this.epochBaseSeconds + (performanceNow() - this.epochStart) / 1000;
    const val = await validate();
    const log: EpochLog = {
      epoch: this.epoch + 1,
      loss: this.lossSum / this.seen,
      accuracy: this.correct / this.seen,
      ...(val !== undefined ? { valLoss: val.loss, valAccuracy: val.accuracy } : {}),
      learningRate: this.learningRate,
      seconds,
      samplesPerSecond: this.seen / Math.max(seconds, 1e-9),
    };
    this.history.push(log);
    return log;
  }

  /** What a checkpoint keeps of the run after `seconds` of training (with the unfinished epoch's sums when `partial`). */
  state(seconds: number, partial = false): TrainingState {
    return {
      history: [...this.history],
      ...(this.best ? { best: this.best } : {}),
      wait: this.wait,
      seconds,
      ...(partial ? { partial: this.partialEpoch() } : {}),
    };
  }
}
