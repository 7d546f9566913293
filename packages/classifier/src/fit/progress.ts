import type { Callback } from './callbacks';
import type { FitCallbacks } from './options';

/** The progress functions of the fit options (`onTrainBegin`, `onEpochBegin`, …) as a callback. */
export function progress(options: FitCallbacks): Callback {
  return {
    async onTrainBegin(info) {
      await options.onTrainBegin?.(info);
    },
    async onEpochBegin(epoch, run) {
      await options.onEpochBegin?.({ epoch: epoch + 1, epochs: run.epochs, learningRate: run.learningRate });
    },
    async onBatchEnd(info) {
      await options.onBatchEnd?.(info);
    },
    async onEpochEnd(log) {
      await options.onEpochEnd?.(log);
    },
  };
}
