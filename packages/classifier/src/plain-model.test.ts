import { describe, expect, it } from 'vitest';
import { barsSet } from './__fixtures__/synthetic';
import { GruClassifier } from './classifier';
import { classifierFromPlainModel, plainModelOf } from './plain-model';

const train = barsSet(30, 1);
const test = barsSet(9, 2);
const bars = { classNames: ['h', 'v', 'd'], height: 8, width: 8 } as const;

async function probabilities(model: GruClassifier): Promise<number[][]> {
  return (await model.predict(test)).map((p) => Array.from(p.probabilities));
}

describe('plainModelOf / classifierFromPlainModel', () => {
  it('a classifier made from the plain data of another predicts the same and describes itself the same', async () => {
    const original = await GruClassifier.create({
      ...bars,
      view: { mode: 'columns', normalize: { mean: 0.2, std: 0.3 } },
      units: 5,
      seed: 7,
    });
    await original.fit(train, { epochs: 1, batchSize: 10 });
    const plain = plainModelOf(original);
    expect(plain.training).toEqual(original.trainingSummary);
    const copy = await classifierFromPlainModel(plain);
    expect(copy.metadata()).toEqual(original.metadata());
    expect(copy.trainingSummary?.optimizer).toEqual(original.trainingSummary?.optimizer);
    expect(await probabilities(copy)).toEqual(await probabilities(original));
    copy.dispose();
    original.dispose();
  });

  it('leaves out a training summary that names no optimizer, and reads a missing seed as 0', async () => {
    const model = await GruClassifier.create({ ...bars, units: 3, seed: 4 });
    const { seed: _seed, ...plain } = plainModelOf(model);
    expect(plain.training).toBeUndefined();
    for (const training of ['adam', { epochs: 3 }, null]) {
      const copy = await classifierFromPlainModel({ ...plain, training });
      expect(copy.trainingSummary).toBeUndefined();
      expect(copy.metadata().seed).toBe(0);
      expect(await probabilities(copy)).toEqual(await probabilities(model));
      copy.dispose();
    }
    model.dispose();
  });
});
