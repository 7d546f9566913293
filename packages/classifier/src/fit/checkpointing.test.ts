import { describe, expect, it } from 'vitest';
import { fitSavingCheckpoints } from '../__fixtures__/checkpoints';
import { barsModel, barsSet } from '../__fixtures__/synthetic';
import type { Checkpoint } from '../checkpoint';
import { checkpointFiles, checkpointFromFiles } from '../checkpoint';
import { GruClassifier } from '../classifier';
import type { FitOptions } from './options';

const train = barsSet(90, 1);
const small = barsModel(12, 3);

/** Dropout, augmentation, a validation split and a step schedule: every stream a resume must continue. */
const options = {
  epochs: 3,
  batchSize: 16,
  learningRate: 0.01,
  validation: 0.2,
  dropout: 0.1,
  headDropout: 0.2,
  augment: { maxShift: 1 },
  schedule: { type: 'step', everyEpochs: 1, gamma: 0.5 },
} as const satisfies FitOptions;

/** A checkpoint read back from its files, as a resume after a crash reads it. */
async function throughFiles(checkpoint: Checkpoint): Promise<Checkpoint> {
  const files = new Map(checkpointFiles(checkpoint).map((f) => [f.name, f.bytes]));
  return checkpointFromFiles(async (name) => files.get(name), 'ckpt');
}

describe('checkpoints within an epoch (checkpointEvery)', () => {
  it('saves after every N batches, then at the end of the epoch', async () => {
    // 72 training images in batches of 16: 5 batches per epoch, so saves after batches 2 and 4.
    const { saved } = await fitSavingCheckpoints(small, train, {
      ...options,
      checkpointEvery: { batches: 2 },
    });
    expect(saved.map((c) => [c.epoch, c.state.partial?.batches ?? 'end'])).toEqual([
      [0, 2],
      [0, 4],
      [1, 'end'],
      [1, 2],
      [1, 4],
      [2, 'end'],
      [2, 2],
      [2, 4],
      [3, 'end'],
    ]);
    expect(saved[1]!.state.partial!.seen).toBe(64);
    expect(saved[1]!.optimizer.step).toBe(4);
  });

  it('resuming from a mid-epoch checkpoint ends with the same weights and history as an uninterrupted run', async () => {
    const {
      model: full,
      history: fullHistory,
      saved,
    } = await fitSavingCheckpoints(small, train, { ...options, checkpointEvery: { batches: 3 } });
    const mid = saved.find((c) => c.epoch === 1 && c.state.partial?.batches === 3)!;
    expect(mid).toBeDefined();
    const resumed = await GruClassifier.create(small);
    const history = await resumed.fit(train, { ...options, resumeFrom: await throughFiles(mid) });
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3]);
    // The resumed epoch's loss and accuracy are running means over all its batches, before and after.
    for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'learningRate'] as const) {
      expect(history.epochs.map((e) => e[key])).toEqual(fullHistory.epochs.map((e) => e[key]));
    }
    const want = full.getWeights();
    resumed.getWeights().forEach((w, i) => {
      expect(Array.from(w.values)).toEqual(Array.from(want[i]!.values));
    });
  });

  it('saves by time with { seconds }', async () => {
    const { saved } = await fitSavingCheckpoints(small, train, {
      ...options,
      epochs: 1,
      // Any batch takes longer than a microsecond: a save after each but the last, then the epoch's.
      checkpointEvery: { seconds: 1e-6 },
    });
    expect(saved.map((c) => c.state.partial?.batches ?? 'end')).toEqual([1, 2, 3, 4, 'end']);
  });

  it('refuses a bad checkpointEvery and a checkpoint from another batch size', async () => {
    const model = await GruClassifier.create(small);
    const save = () => {};
    await expect(model.fit(train, { checkpoint: { save }, checkpointEvery: { batches: 0 } })).rejects.toThrow(
      'fit: checkpointEvery.batches must be a positive whole number, got 0.',
    );
    await expect(
      model.fit(train, { checkpoint: { save }, checkpointEvery: { minutes: 5 } as never }),
    ).rejects.toThrow('fit: checkpointEvery must be { batches: N } or { seconds: S }, got {"minutes":5}.');
    await expect(model.fit(train, { checkpointEvery: { seconds: 60 } })).rejects.toThrow(
      'fit: checkpointEvery needs checkpoint: { save } to hand the checkpoints to.',
    );
    const saved: Checkpoint[] = [];
    await model.fit(train, {
      ...options,
      epochs: 1,
      checkpoint: { save: (c) => void saved.push(c) },
      checkpointEvery: { batches: 4 },
    });
    const other = await GruClassifier.create(small);
    await expect(
      other.fit(train, { ...options, batchSize: 64, resumeFrom: saved[0]! }),
    ).rejects.toMatchObject({ code: 'CHECKPOINT_INVALID' });
  });
});
