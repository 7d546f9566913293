import type { Callback } from './callbacks';
import type { EarlyStoppingOptions, MonitoredMetric } from './options';
import { copyWeights } from './weights';

/**
 * Early stopping as a callback: after each epoch it compares `monitor` with the best value so far
 * (better by more than `minDelta`), keeps the best weights when `restoreBestWeights`, and asks the loop
 * to stop after `patience` epochs without improvement. At the end of a run that was not aborted it
 * puts the best weights back. Its state lives in the run (`best`, `wait`, `bestWeights`), so a
 * checkpoint keeps it.
 */
export function earlyStopping(options: EarlyStoppingOptions, monitor: MonitoredMetric): Callback {
  const patience = options.patience ?? 3;
  const minDelta = options.minDelta ?? 0;
  const restoreBest = options.restoreBestWeights ?? true;
  const higherIsBetter = monitor === 'accuracy' || monitor === 'valAccuracy';
  return {
    onEpochEnd(log, run) {
      const value = log[monitor]!;
      const best = run.best;
      const improved =
        best === undefined ||
        (higherIsBetter ? value > best.value + minDelta : value < best.value - minDelta);
      if (improved) {
        run.best = { epoch: log.epoch, value };
        run.wait = 0;
        if (restoreBest) run.bestWeights = copyWeights(run.network.getWeights());
      } else {
        run.wait++;
        if (run.wait >= patience) run.stop('earlyStopping');
      }
    },
    onTrainEnd(stopReason, run) {
      if (restoreBest && run.bestWeights !== undefined && stopReason !== 'aborted') {
        run.network.setWeights(run.bestWeights);
        run.restoredEpoch = run.best?.epoch;
      }
    },
  };
}
