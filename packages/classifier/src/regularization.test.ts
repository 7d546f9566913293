import { describe, expect, it } from 'vitest';
import { barsModel, barsSet } from './__fixtures__/synthetic';
import { GruClassifier } from './classifier';

const train = barsSet(48, 1);
const small = barsModel(6, 3);

async function kernelAbsSum(l1: number | undefined): Promise<number> {
  const model = await GruClassifier.create(small);
  await model.fit(train, {
    epochs: 3,
    batchSize: 16,
    learningRate: 0.01,
    optimizer: 'sgd',
    ...(l1 !== undefined ? { l1 } : {}),
  });
  let sum = 0;
  for (const w of model.getWeights()) {
    if (!/kernel/.test(w.name)) continue;
    for (const v of w.values) sum += Math.abs(v);
  }
  model.dispose();
  return sum;
}

describe('fit: l1', () => {
  it('reaches the network: L1 shrinks the kernels, l1: 0 is the same as no L1', async () => {
    const none = await kernelAbsSum(undefined);
    const zero = await kernelAbsSum(0);
    const strong = await kernelAbsSum(0.05);
    expect(zero).toBe(none);
    expect(strong).toBeLessThan(none);
  });

  it('refuses a negative l1 with a typed error', async () => {
    const model = await GruClassifier.create(small);
    await expect(model.fit(train, { epochs: 1, l1: -1 })).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/l1 must be a number ≥ 0/),
      }),
    );
    model.dispose();
  });
});

describe('create: goBackwards', () => {
  it('reaches every recurrent layer of the spec, and is absent by default', async () => {
    const backwards = await GruClassifier.create({ ...small, layers: 2, goBackwards: true });
    expect(backwards.spec.layers.map((l) => l.goBackwards)).toEqual([true, true]);
    const plain = await GruClassifier.create(small);
    expect(plain.spec.layers[0]!.goBackwards).toBeUndefined();
    backwards.dispose();
    plain.dispose();
  });
});
