import { describe, expect, it } from 'vitest';
import { barsModel, barsSet } from '../__fixtures__/synthetic';
import { GruClassifier } from '../classifier';
import type { Callback } from './callbacks';

const train = barsSet(90, 1);
const small = barsModel(12, 3);

describe('fit callbacks', () => {
  it('calls every hook in the Keras order, once per epoch and batch', async () => {
    const model = await GruClassifier.create(small);
    const calls: string[] = [];
    const recorder: Callback = {
      onTrainBegin: (info) => void calls.push(`trainBegin ${info.epochs}×${info.batchesPerEpoch}`),
      onEpochBegin: (epoch) => void calls.push(`epochBegin ${epoch}`),
      onBatchBegin: (batch) => void calls.push(`batchBegin ${batch}`),
      onBatchEnd: (info) => void calls.push(`batchEnd ${info.batch}`),
      onEpochEnd: (log) => void calls.push(`epochEnd ${log.epoch}`),
      onTrainEnd: (reason) => void calls.push(`trainEnd ${reason}`),
    };
    // 90 images in batches of 45: 2 batches per epoch.
    await model.fit(train, { epochs: 2, batchSize: 45, callbacks: [recorder] });
    expect(calls).toEqual([
      'trainBegin 2×2',
      'epochBegin 0',
      'batchBegin 0',
      'batchEnd 1',
      'batchBegin 1',
      'batchEnd 2',
      'epochEnd 1',
      'epochBegin 1',
      'batchBegin 0',
      'batchEnd 1',
      'batchBegin 1',
      'batchEnd 2',
      'epochEnd 2',
      'trainEnd completed',
    ]);
  });

  it('a user callback sets the learning rate after the schedule and stops training through the run', async () => {
    const model = await GruClassifier.create(small);
    const halve: Callback = {
      onBatchBegin(_batch, run) {
        run.learningRate /= 2;
      },
      onEpochEnd(log, run) {
        if (log.epoch === 2) run.stop('earlyStopping');
      },
    };
    const history = await model.fit(train, {
      epochs: 5,
      batchSize: 30,
      learningRate: 0.01,
      schedule: { type: 'step', everyEpochs: 1, gamma: 0.5 },
      callbacks: [halve],
    });
    // The step schedule gives 0.01, 0.005 per epoch; the user's callback halves it after.
    expect(history.epochs.map((e) => e.learningRate)).toEqual([0.005, 0.0025]);
    expect(history.stopReason).toBe('earlyStopping');
  });

  it('refuses callbacks that are not a list of objects', async () => {
    const model = await GruClassifier.create(small);
    await expect(model.fit(train, { callbacks: [null as unknown as Callback] })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: 'fit: callbacks must be an array of callback objects ({ onEpochEnd(log, run) { … } }).',
    });
  });
});
