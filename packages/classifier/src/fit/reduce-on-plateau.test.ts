import { describe, expect, it } from 'vitest';
import { fitSavingCheckpoints } from '../__fixtures__/checkpoints';
import { barsModel, barsSet } from '../__fixtures__/synthetic';
import { GruClassifier } from '../classifier';

const train = barsSet(90, 1);
const small = barsModel(12, 3);

describe('reduceOnPlateau', () => {
  // minDelta 100: no epoch after the first counts as an improvement of the loss, so with patience 1 and
  // factor 0.5 the rate halves after epochs 2, 3, 4: by hand 0.01, 0.01, 0.005, 0.0025, 0.00125.
  const options = {
    epochs: 5,
    batchSize: 30,
    learningRate: 0.01,
    reduceOnPlateau: { monitor: 'loss', patience: 1, factor: 0.5, minDelta: 100 },
  } as const;

  it('halves the learning rate after each epoch without improvement', async () => {
    const model = await GruClassifier.create(small);
    const history = await model.fit(train, options);
    expect(history.epochs.map((e) => e.learningRate)).toEqual([0.01, 0.01, 0.005, 0.0025, 0.00125]);
  });

  it('never goes below minLearningRate, and multiplies a schedule', async () => {
    const model = await GruClassifier.create(small);
    const history = await model.fit(train, {
      ...options,
      epochs: 4,
      schedule: { type: 'step', everyEpochs: 2, gamma: 0.5 },
      reduceOnPlateau: { ...options.reduceOnPlateau, minLearningRate: 0.002 },
    });
    // step: 0.01, 0.01, 0.005, 0.005; plateau scale: 1, 1, 0.5, 0.25 → 0.01, 0.01, 0.0025, max(0.00125, 0.002).
    expect(history.epochs.map((e) => e.learningRate)).toEqual([0.01, 0.01, 0.0025, 0.002]);
  });

  it('a resumed run replays the history and continues with the same rate', async () => {
    const { model: full, history: fullHistory, saved } = await fitSavingCheckpoints(small, train, options);
    const resumed = await GruClassifier.create(small);
    const history = await resumed.fit(train, { ...options, resumeFrom: saved[2]! });
    expect(history.epochs.map((e) => e.learningRate)).toEqual(fullHistory.epochs.map((e) => e.learningRate));
    const want = full.getWeights();
    resumed.getWeights().forEach((w, i) => {
      expect(Array.from(w.values)).toEqual(Array.from(want[i]!.values));
    });
  });

  it('refuses a factor outside (0, 1) and an unknown key', async () => {
    const model = await GruClassifier.create(small);
    await expect(model.fit(train, { reduceOnPlateau: { factor: 2 } })).rejects.toThrow(
      'fit: reduceOnPlateau.factor must be in (0, 1), got 2.',
    );
    await expect(model.fit(train, { reduceOnPlateau: { patiense: 2 } as never })).rejects.toThrow(
      'fit: reduceOnPlateau: unknown option "patiense" (did you mean "patience"?)',
    );
  });
});
