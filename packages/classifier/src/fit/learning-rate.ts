import type { Callback, FitRun } from './callbacks';
import type { LearningRateSchedule } from './schedule';
import { learningRateAt } from './schedule';

/**
 * Sets `run.learningRate` from `schedule` (the base rate when there is none): at the start of every
 * epoch (the rate `onEpochBegin` reports) and before every batch. Engines refuse a zero rate and a
 * cosine schedule ending at 0 comes arbitrarily close to it, so a batch trains with at least 1e-12.
 */
export function learningRateScheduler(base: number, schedule: LearningRateSchedule | undefined): Callback {
  const at = (run: FitRun, batch: number) =>
    learningRateAt(base, schedule, {
      epoch: run.epoch,
      batch,
      batchesPerEpoch: run.batchesPerEpoch,
      epochs: run.epochs,
    });
  return {
    onEpochBegin(_epoch, run) {
      run.learningRate = at(run, 0);
    },
    onBatchBegin(batch, run) {
      run.learningRate = Math.max(at(run, batch), 1e-12);
    },
  };
}
