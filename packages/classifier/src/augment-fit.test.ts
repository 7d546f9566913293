import { describe, expect, it } from 'vitest';
import { barsModel, barsSet } from './__fixtures__/synthetic';
import { GruClassifier } from './classifier';

const train = barsSet(24, 1);
const small = barsModel(4, 3);
const augment = { maxShift: 1, rotate: 15, scale: 0.1, elastic: 2, elasticSigma: 2, noise: 0.05, cutout: 2 };

async function trainedWeights(options: { augment?: typeof augment }): Promise<number[]> {
  const model = await GruClassifier.create(small);
  await model.fit(train, { epochs: 2, batchSize: 8, ...options });
  const weights = model.getWeights().flatMap((w) => Array.from(w.values));
  model.dispose();
  return weights;
}

describe('fit with augmentation', () => {
  it('is seeded (the same run gives the same weights) and trains on changed images', async () => {
    const a = await trainedWeights({ augment });
    const b = await trainedWeights({ augment });
    const plain = await trainedWeights({});
    expect(a).toEqual(b);
    expect(a).not.toEqual(plain);
  });

  it('refuses a value out of range before the first epoch, naming it', async () => {
    const model = await GruClassifier.create(small);
    const epochs: number[] = [];
    await expect(
      model.fit(train, {
        epochs: 1,
        augment: { rotate: 270 },
        onEpochEnd: (log) => void epochs.push(log.epoch),
      }),
    ).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'fit: augment.rotate 270 must be degrees in [0, 180], e.g. rotate: 10.',
      }),
    );
    expect(epochs).toEqual([]);
    model.dispose();
  });
});
