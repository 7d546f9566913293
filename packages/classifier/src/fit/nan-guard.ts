import type { NamedWeight } from '@gruvision/math';
import { GruClassifierError } from '../errors';
import type { Callback } from './callbacks';
import { copyWeights } from './weights';

/**
 * Stops training with `NON_FINITE_LOSS` as soon as a batch's loss is NaN or infinite, after putting
 * back the weights from the start of the epoch (or from the checkpoint a run resumed from within it).
 */
export function nanGuard(): Callback {
  let epochStart: NamedWeight[] = [];
  return {
    onEpochBegin(_epoch, run) {
      epochStart = copyWeights(run.network.getWeights());
    },
    onBatchEnd(info, run) {
      if (Number.isFinite(info.batchLoss)) return;
      run.network.setWeights(epochStart);
      const { epoch, batch, learningRate } = info;
      throw new GruClassifierError(
        'NON_FINITE_LOSS',
        `Training diverged: the loss became ${info.batchLoss} at epoch ${epoch}, batch ${batch} ` +
          `(step ${(epoch - 1) * info.batches + batch}) with learning rate ${learningRate}. ` +
          `The model keeps the weights from the start of epoch ${epoch}. ` +
          `Lower the learning rate (e.g. ${learningRate / 10}) or clip gradients (e.g. clipNorm: 1).`,
      );
    },
  };
}
