import type { ModelArtifacts } from '../artifact';
import type { Checkpoint } from '../checkpoint';
import type { Callback, FitRun } from './callbacks';
import { performanceNow } from './run';

/** When checkpoints are taken: every `epochs` epochs, and within epochs every N batches or S seconds. */
export interface CheckpointSchedule {
  readonly epochs: number;
  readonly batches?: number;
  readonly seconds?: number;
}

/**
 * Hands a checkpoint to `save` after every `every.epochs` epochs, after the last epoch and when early
 * stopping ends training; with `every.batches` or `every.seconds` also within an epoch (its
 * `state.partial` says how far the epoch got). `artifacts(run, seconds, stoppedEarly)` gives the model
 * as it is now, `state(seconds, partial)` what the run keeps.
 */
export function checkpointing(
  save: (checkpoint: Checkpoint) => void | Promise<void>,
  every: CheckpointSchedule,
  artifacts: (run: FitRun, seconds: number, stoppedEarly: boolean) => ModelArtifacts,
  state: (seconds: number, partial: boolean) => Checkpoint['state'],
): Callback {
  let lastSave = 0;
  const write = async (run: FitRun, epoch: number, partial: boolean) => {
    const seconds = run.seconds();
    await save({
      epoch,
      artifacts: artifacts(run, seconds, run.stopRequested === 'earlyStopping'),
      optimizer: run.network.getOptimizerState(),
      state: state(seconds, partial),
      ...(run.bestWeights ? { bestWeights: run.bestWeights } : {}),
    });
    lastSave = performanceNow();
  };
  return {
    onTrainBegin() {
      lastSave = performanceNow();
    },
    async onBatchEnd(info, run) {
      if (info.batch >= info.batches) return; // the epoch's end saves (or not) in onEpochEnd
      const due =
        every.batches !== undefined
          ? info.batch % every.batches === 0
          : every.seconds !== undefined && (performanceNow() - lastSave) / 1000 >= every.seconds;
      if (due) await write(run, info.epoch - 1, true);
    },
    async onEpochEnd(log, run) {
      const stop = run.stopRequested === 'earlyStopping';
      if (log.epoch % every.epochs === 0 || log.epoch === run.epochs || stop)
        await write(run, log.epoch, false);
    },
  };
}
