import { describe, expect, it } from 'vitest';
import { barsModel, barsSet } from './__fixtures__/synthetic';
import { GruClassifier } from './classifier';
import { closestKey, editDistance } from './option-keys';

const train = barsSet(12, 1);
const small = barsModel(4, 3);

function refused(where: string, key: string, closest: string) {
  return expect.objectContaining({
    name: 'GruClassifierError',
    code: 'INVALID_ARGUMENT',
    message: expect.stringContaining(
      `${where}: unknown option "${key}" (did you mean "${closest}"?). Valid options: `,
    ),
  });
}

describe('editDistance / closestKey', () => {
  it('counts inserts, deletes and replacements, ignoring case', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(editDistance('', 'abc')).toBe(3);
    expect(editDistance('batchsize', 'batchSize')).toBe(0);
    expect(closestKey('epoch', ['batchSize', 'epochs', 'l2'])).toBe('epochs');
    expect(closestKey('x', [])).toBeUndefined();
  });
});

describe('unknown option keys', () => {
  it('GruClassifier.create names the unknown key and the closest valid one', async () => {
    await expect(GruClassifier.create({ ...small, unit: 8 } as never)).rejects.toThrow(
      refused('GruClassifier.create', 'unit', 'units'),
    );
    await expect(GruClassifier.create({ ...small, recurentActivation: 'sigmoid' } as never)).rejects.toThrow(
      refused('GruClassifier.create', 'recurentActivation', 'recurrentActivation'),
    );
  });

  it('fit refuses unknown keys at the top level and in nested options, before training', async () => {
    const model = await GruClassifier.create(small);
    const epochs: number[] = [];
    const onEpochEnd = (log: { epoch: number }) => {
      epochs.push(log.epoch);
    };
    await expect(model.fit(train, { epochs: 1, l3: 0.01, onEpochEnd } as never)).rejects.toThrow(
      refused('fit', 'l3', 'l2'),
    );
    await expect(model.fit(train, { epoch: 1, onEpochEnd } as never)).rejects.toThrow(
      refused('fit', 'epoch', 'epochs'),
    );
    await expect(
      model.fit(train, { epochs: 1, earlyStopping: { patiance: 2 }, onEpochEnd } as never),
    ).rejects.toThrow(refused('fit: earlyStopping', 'patiance', 'patience'));
    await expect(model.fit(train, { epochs: 1, augment: { shift: 2 }, onEpochEnd } as never)).rejects.toThrow(
      refused('fit: augment', 'shift', 'maxShift'),
    );
    await expect(
      model.fit(train, { epochs: 1, checkpoint: { save: () => {}, evry: 2 }, onEpochEnd } as never),
    ).rejects.toThrow(refused('fit: checkpoint', 'evry', 'every'));
    await expect(model.fit(train, 'fast' as never)).rejects.toThrow(
      'fit: options must be an object, got string.',
    );
    expect(epochs).toEqual([]);
    model.dispose();
  });

  it('evaluate and predict refuse unknown keys', async () => {
    const model = await GruClassifier.create(small);
    await expect(model.evaluate(train, { top: 2 } as never)).rejects.toThrow(
      refused('evaluate', 'top', 'topK'),
    );
    await expect(model.predict(train, { batchsize: 2, topK: 1 } as never)).rejects.toThrow(
      expect.objectContaining({ code: 'INVALID_ARGUMENT', message: expect.stringContaining('"batchsize"') }),
    );
    const ok = await model.predict(train, { topK: 1, batchSize: 4 });
    expect(ok).toHaveLength(12);
    model.dispose();
  });
});
