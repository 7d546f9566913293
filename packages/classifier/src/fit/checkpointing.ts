import type { ModelArtifacts } from '../artifact';
import type { Checkpoint } from '../checkpoint';
import type { Callback, FitRun } from './callbacks';

/**
 * Hands a checkpoint to `save` after every `every` epochs, after the last epoch and when early
 * stopping ends training. `artifacts(run, seconds, stoppedEarly)` gives the model as it is now.
 */
export function checkpointing(
  save: (checkpoint: Checkpoint) => void | Promise<void>,
  every: number,
  artifacts: (run: FitRun, seconds: number, stoppedEarly: boolean) => ModelArtifacts,
  state: (seconds: number) => Checkpoint['state'],
): Callback {
  return {
    async onEpochEnd(log, run) {
      const stop = run.stopRequested === 'earlyStopping';
      if (!(log.epoch % every === 0 || log.epoch === run.epochs || stop)) return;
      const seconds = run.seconds();
      await save({
        epoch: log.epoch,
        artifacts: artifacts(run, seconds, stop),
        optimizer: run.network.getOptimizerState(),
        state: state(seconds),
        ...(run.bestWeights ? { bestWeights: run.bestWeights } : {}),
      });
    },
  };
}
