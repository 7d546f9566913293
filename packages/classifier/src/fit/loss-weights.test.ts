import { stratifiedSplit } from '@gruvision/data';
import { type Engine, mathEngine } from '@gruvision/math';
import { describe, expect, it } from 'vitest';
import { barsModel, barsSet } from '../__fixtures__/synthetic';
import { GruClassifier } from '../classifier';
import { balancedClassWeights, resolveClassWeights, resolveSampleWeights } from './loss-weights';

const small = barsModel(4, 3);

/** The math engine, recording the labels and loss weights every training batch gets. */
function recordingEngine(): { engine: Engine; batches: { y: number[]; w: number[] | undefined }[] } {
  const batches: { y: number[]; w: number[] | undefined }[] = [];
  const engine: Engine = {
    name: 'math',
    async create(spec, options) {
      const network = await mathEngine.create(spec, options);
      const trainBatch = network.trainBatch.bind(network);
      network.trainBatch = (x, y, batch, weights) => {
        batches.push({ y: Array.from(y), w: weights ? Array.from(weights) : undefined });
        return trainBatch(x, y, batch, weights);
      };
      return network;
    },
  };
  return { engine, batches };
}

describe('class weights', () => {
  it("'balanced' is n / (classes present · count_c), by hand; a class without images weighs 1", () => {
    // 6 images: class 0 ×3, class 1 ×2, class 2 ×1 → 6/(3·3), 6/(3·2), 6/(3·1).
    expect(Array.from(balancedClassWeights([0, 1, 0, 2, 1, 0], 3))).toEqual([2 / 3, 1, 2]);
    // Class 2 has no image: two classes are present → 4/(2·3), 4/(2·1), and 1.
    expect(Array.from(balancedClassWeights([0, 0, 1, 0], 3))).toEqual([4 / 6, 2, 1]);
    // The weights average 1 over the images (Σ_c count_c · n/(K·count_c) = n).
    const labels = [0, 0, 0, 0, 1, 2, 2];
    const w = balancedClassWeights(labels, 3);
    expect(labels.reduce((a, y) => a + w[y]!, 0)).toBeCloseTo(labels.length, 12);
  });

  it('takes an array in label order or { className | label index: weight }, others weighing 1', () => {
    const set = barsSet(6, 1);
    expect(Array.from(resolveClassWeights([1, 2.5, 0], set)!)).toEqual([1, 2.5, 0]);
    expect(Array.from(resolveClassWeights({ v: 2.5, 2: 4 }, set)!)).toEqual([1, 2.5, 4]);
    expect(resolveClassWeights(undefined, set)).toBeUndefined();
  });

  it('refuses bad class weights with INVALID_ARGUMENT naming fit: classWeight and the fix', () => {
    const set = barsSet(6, 1);
    const refused = (value: unknown, message: string) =>
      expect(() => resolveClassWeights(value as never, set)).toThrow(
        expect.objectContaining({ name: 'GruClassifierError', code: 'INVALID_ARGUMENT', message }),
      );
    refused(
      [1, 2],
      'fit: classWeight has 2 weights but the model has 3 classes (h, v, d). Pass one weight per class in label order, { className: weight }, or "balanced".',
    );
    refused(
      { w: 2 },
      'fit: classWeight names the class "w", which the model does not have (did you mean "h"?). Classes: h, v, d (or their label indices 0–2).',
    );
    refused(
      [1, -1, 1],
      'fit: classWeight[1] is -1, but a loss weight must be a finite number ≥ 0 (0 leaves it out).',
    );
    refused(
      { d: Number.NaN },
      'fit: classWeight["d"] is NaN, but a loss weight must be a finite number ≥ 0 (0 leaves it out).',
    );
    refused(
      'balance',
      'fit: classWeight must be "balanced", an array of 3 weights or { className: weight }, got "balance".',
    );
  });
});

describe('sample weights', () => {
  it('are picked for the images trained on after a validation fraction is held out, and checked', () => {
    expect(Array.from(resolveSampleWeights([5, 6, 7, 8], 4, [0, 2, 3])!)).toEqual([5, 7, 8]);
    expect(() => resolveSampleWeights([1, 2], 3, undefined)).toThrow(
      'fit: sampleWeight has 2 weights but the training set has 3 images. Pass one weight per image, in set order.',
    );
    expect(() => resolveSampleWeights([1, Number.POSITIVE_INFINITY], 2, undefined)).toThrow(
      'fit: sampleWeight[1] is Infinity, but a loss weight must be a finite number ≥ 0',
    );
    expect(() => resolveSampleWeights(3 as never, 3, undefined)).toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('fit: sampleWeight must be an array'),
      }),
    );
  });
});

describe('fit with classWeight and sampleWeight', () => {
  it('hands the engine classWeight[y] · sampleWeight[image] for every trained image, once per epoch', async () => {
    const train = barsSet(30, 2);
    const sampleWeight = Array.from({ length: 30 }, (_, i) => i + 1);
    const classWeight = [1, 2, 4];
    const { engine, batches } = recordingEngine();
    const model = await GruClassifier.create({ ...small, engine });
    await model.fit(train, { epochs: 2, batchSize: 8, validation: 0.2, classWeight, sampleWeight });
    // The images fit trains on: the training part of the stratified split seeded by the model seed.
    const { trainIndices } = stratifiedSplit(train, { fraction: 0.2, seed: small.seed });
    const expected = Array.from(trainIndices, (i) => classWeight[train.labels[i]!]! * sampleWeight[i]!).sort(
      (a, b) => a - b,
    );
    expect(batches.length).toBe(2 * Math.ceil(24 / 8));
    for (const epoch of [0, 1]) {
      const seen = batches
        .slice(epoch * 3, epoch * 3 + 3)
        .flatMap((b) => b.w!)
        .sort((a, b) => a - b);
      expect(seen).toEqual(expected);
    }
    // Each weight is its own label's class weight times an image's sample weight.
    for (const b of batches) {
      b.y.forEach((y, i) => {
        const image = b.w![i]! / classWeight[y]! - 1;
        expect(train.labels[image]).toBe(y);
      });
    }
    model.dispose();
  });

  it("classWeight 'balanced' on an imbalanced set weighs the rare class up; no weights: the unweighted path", async () => {
    const all = barsSet(24, 4);
    // Keep every image of classes 0 and 1 but only two of class 2.
    const keep = Array.from({ length: 24 }, (_, i) => i).filter((i) => all.labels[i] !== 2 || i < 6);
    const pixels = new Uint8Array(keep.length * 64);
    keep.forEach((i, k) => {
      pixels.set(all.pixels.subarray(i * 64, (i + 1) * 64), k * 64);
    });
    const set = { ...all, count: keep.length, pixels, labels: Int32Array.from(keep, (i) => all.labels[i]!) };
    const { engine, batches } = recordingEngine();
    const model = await GruClassifier.create({ ...small, engine });
    await model.fit(set, { epochs: 1, batchSize: 64, classWeight: 'balanced' });
    const n = set.count; // 8 + 8 + 2 = 18
    const expected = [n / (3 * 8), n / (3 * 8), n / (3 * 2)].map(Math.fround);
    batches[0]!.y.forEach((y, i) => {
      expect(batches[0]!.w![i]).toBe(expected[y]);
    });
    batches.length = 0;
    await model.fit(set, { epochs: 1, batchSize: 64 });
    expect(batches[0]!.w).toBeUndefined();
    model.dispose();
  });

  it('refuses bad weights before training, naming the key', async () => {
    const model = await GruClassifier.create(small);
    const train = barsSet(12, 1);
    const epochs: number[] = [];
    const onEpochEnd = (log: { epoch: number }) => {
      epochs.push(log.epoch);
    };
    await expect(model.fit(train, { epochs: 1, classWeight: [1, 1], onEpochEnd })).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('fit: classWeight has 2 weights'),
      }),
    );
    await expect(model.fit(train, { epochs: 1, sampleWeight: [1], onEpochEnd })).rejects.toThrow(
      'fit: sampleWeight has 1 weights but the training set has 12 images.',
    );
    await expect(
      model.fit(train, { epochs: 1, classWeights: 'balanced', onEpochEnd } as never),
    ).rejects.toThrow('fit: unknown option "classWeights" (did you mean "classWeight"?)');
    expect(epochs).toEqual([]);
    model.dispose();
  });
});
