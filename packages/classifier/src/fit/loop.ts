import type { Batch } from '@gruvision/data';
import type { Callback, History, StopReason, TrainBeginInfo } from './callbacks';
import { callAll } from './callbacks';
import type { TrainingRun } from './run';
import { nextTick } from './run';

/** What the loop needs besides the run and its callbacks. */
export interface LoopPlan {
  readonly trainBegin: TrainBeginInfo;
  /** First epoch to train, from 0 (> 0 when resuming). */
  readonly startEpoch: number;
  /** The batches of one epoch, in training order. */
  batches(epoch: number): Iterable<Batch>;
  /** The per-sample loss weights of a batch (`classWeight`, `sampleWeight`), or undefined: unweighted. */
  weights?: ((batch: Batch) => Float32Array) | undefined;
  /** Validation loss and accuracy after an epoch, or undefined without validation data. */
  validate(): Promise<{ loss: number; accuracy: number } | undefined>;
}

/**
 * The training loop: epochs × batches, one optimizer step per batch, calling the callbacks at each
 * step of the Keras shape. Everything else (schedules, early stopping, checkpoints, NaN recovery,
 * progress, abort) is a callback.
 */
export async function trainLoop(
  run: TrainingRun,
  plan: LoopPlan,
  callbacks: readonly Callback[],
): Promise<History> {
  await callAll(callbacks, 'onTrainBegin', plan.trainBegin, run);
  run.startClock();
  let stopReason: StopReason = 'completed';
  for (let epoch = plan.startEpoch; epoch < run.epochs; epoch++) {
    if (run.stopRequested !== undefined) {
      stopReason = run.stopRequested;
      break;
    }
    run.beginEpoch(epoch);
    await callAll(callbacks, 'onEpochBegin', epoch, run);
    let skip = run.batch;
    for (const batch of plan.batches(epoch)) {
      // A run resumed within this epoch draws the batches it already trained (the same order and
      // augmentation) without training them.
      if (skip-- > 0) continue;
      await callAll(callbacks, 'onBatchBegin', run.batch, run);
      run.network.setLearningRate(run.learningRate);
      // Undefined weights (no classWeight or sampleWeight): every sample weighs 1.
      const weights = plan.weights?.(batch);
      const result = await run.network.trainBatch(batch.x, batch.y, batch.size, weights);
      await callAll(callbacks, 'onBatchEnd', run.recordBatch(result, batch.size), run);
      await nextTick();
      if (run.stopRequested === 'aborted') break;
    }
    if (run.stopRequested === 'aborted') {
      stopReason = 'aborted';
      break;
    }
    const log = await run.endEpoch(() => plan.validate());
    await callAll(callbacks, 'onEpochEnd', log, run);
    if (run.stopRequested === 'earlyStopping') {
      stopReason = 'earlyStopping';
      break;
    }
  }
  await callAll(callbacks, 'onTrainEnd', stopReason, run);
  return {
    epochs: [...run.history],
    stopReason,
    ...(run.restoredEpoch !== undefined ? { bestEpoch: run.restoredEpoch } : {}),
    seconds: run.seconds(),
  };
}
