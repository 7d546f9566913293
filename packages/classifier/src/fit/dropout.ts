import type { Callback } from './callbacks';

/** The dropout seed of epoch `epoch` (from 0) for a model seeded with `seed`; epoch 0 uses `seed` itself. */
export function epochSeed(seed: number, epoch: number): number {
  if (epoch === 0) return seed;
  return (Math.imul((seed >>> 0) ^ 0x5bd1e995, 0x9e3779b1) + Math.imul(epoch + 1, 0x85ebca6b)) >>> 0;
}

/**
 * Restarts the network's dropout masks at every epoch from a seed of `(seed, epoch)`, so the masks do
 * not depend on where a run resumed: a resumed epoch skips the masks of the batches it already trained.
 */
export function dropoutPerEpoch(seed: number, batchSize: number): Callback {
  return {
    onEpochBegin(epoch, run) {
      const skip = Array.from({ length: run.batch }, () => batchSize);
      if (epoch > 0 || skip.length > 0) run.network.resetDropout(epochSeed(seed, epoch), skip);
    },
  };
}
