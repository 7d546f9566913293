import type { ModelArtifacts } from '../artifact';
import type { EpochLog } from '../checkpoint';
import type { Callback, FitRun } from './callbacks';
import type { KeepBestOptions, MonitoredMetric } from './options';

/**
 * Keep-the-best as a callback: after each epoch whose `monitor` beats the best so far by more than
 * `minDelta`, hands `save` the model as it is now (`artifacts(run, epoch)`), apart from the checkpoints.
 * Its state is a function of the history, so a resumed run replays the history and saves only an epoch
 * better than every epoch before the resume.
 */
export function keepBest(
  options: KeepBestOptions,
  monitor: MonitoredMetric,
  artifacts: (run: FitRun, epoch: number) => ModelArtifacts,
): Callback {
  const minDelta = options.minDelta ?? 0;
  const higherIsBetter = monitor === 'accuracy' || monitor === 'valAccuracy';
  let best: number | undefined;
  const improves = (log: EpochLog): boolean => {
    const value = log[monitor]!;
    const better = best === undefined || (higherIsBetter ? value > best + minDelta : value < best - minDelta);
    if (better) best = value;
    return better;
  };
  return {
    onTrainBegin(_info, run) {
      for (const log of run.history) improves(log);
    },
    async onEpochEnd(log, run) {
      if (!improves(log)) return;
      await options.save({
        epoch: log.epoch,
        monitor,
        value: log[monitor]!,
        artifacts: artifacts(run, log.epoch),
      });
    },
  };
}
