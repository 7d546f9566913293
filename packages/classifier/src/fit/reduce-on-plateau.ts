import type { EpochLog } from '../checkpoint';
import type { Callback } from './callbacks';
import type { MonitoredMetric, ReduceOnPlateauOptions } from './options';

/**
 * Reduce-on-plateau (Keras `ReduceLROnPlateau`) as a callback: when `monitor` has not improved by more
 * than `minDelta` for `patience` epochs, the learning rate is multiplied by `factor` (never below
 * `minLearningRate`), on top of any schedule. Its state is a function of the history, so a resumed run
 * replays the history and continues with the same rate.
 */
export function reduceOnPlateau(options: ReduceOnPlateauOptions, monitor: MonitoredMetric): Callback {
  const factor = options.factor ?? 0.1;
  const patience = options.patience ?? 10;
  const minDelta = options.minDelta ?? 0;
  const minLearningRate = options.minLearningRate ?? 0;
  const higherIsBetter = monitor === 'accuracy' || monitor === 'valAccuracy';
  let best: number | undefined;
  let wait = 0;
  let scale = 1;
  const observe = (log: EpochLog) => {
    const value = log[monitor]!;
    if (best === undefined || (higherIsBetter ? value > best + minDelta : value < best - minDelta)) {
      best = value;
      wait = 0;
    } else if (++wait >= patience) {
      scale *= factor;
      wait = 0;
    }
  };
  return {
    onTrainBegin(_info, run) {
      for (const log of run.history) observe(log);
    },
    onBatchBegin(_batch, run) {
      if (scale !== 1) run.learningRate = Math.max(run.learningRate * scale, minLearningRate, 1e-12);
    },
    onEpochEnd(log) {
      observe(log);
    },
  };
}
