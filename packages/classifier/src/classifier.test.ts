import type { ImageSet, RawImage } from '@gruvision/data';
import { fitImage, preprocessDigit } from '@gruvision/data';
import type { Engine, Network } from '@gruvision/math';
import { mathEngine } from '@gruvision/math';
import { beforeAll, describe, expect, it } from 'vitest';
import { fitSavingCheckpoints } from './__fixtures__/checkpoints';
import { barsModel, barsSet } from './__fixtures__/synthetic';
import type { Checkpoint } from './checkpoint';
import { GruClassifier } from './classifier';
import { GruClassifierError } from './errors';
import type { Evaluation } from './metrics';
import type { Prediction } from './prediction';

const train = barsSet(90, 1);
const test = barsSet(30, 2);
const small = barsModel(12, 3);

describe('GruClassifier.create', () => {
  it('defaults to GRU-128 rows on 28×28 gray, resetAfter false, sigmoid', async () => {
    const model = await GruClassifier.create({
      classNames: ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'],
    });
    expect(model.spec).toMatchObject({ timeSteps: 28, features: 28, classes: 10 });
    expect(model.spec.layers[0]).toMatchObject({
      cell: 'gru',
      units: 128,
      resetAfter: false,
      recurrentActivation: 'sigmoid',
    });
    expect(model.parameterCount).toBe(61_578);
    expect(model.engine.name).toBe('math');
    expect(model.view).toEqual({ mode: 'rows' });
    model.dispose();
  });

  it('explains bad options', async () => {
    await expect(GruClassifier.create({ classNames: ['only'] })).rejects.toThrow(
      'classNames must list at least two class names, e.g. ["cat", "dog"].',
    );
    await expect(
      GruClassifier.create({
        ...small,
        spec: { timeSteps: 4, features: 8, classes: 3, layers: [{ cell: 'gru', units: 4 }] },
      }),
    ).rejects.toThrow(
      'spec reads 4 steps of 8 features, but the rows view of 8×8×1 images gives 8 of 8. Fix the spec or the input shape.',
    );
    await expect(GruClassifier.create({ ...small, engine: 'tfjs-gpu' as 'tfjs-cpu' })).rejects.toThrow(
      'Unknown engine "tfjs-gpu". Use one of math, tfjs-cpu, tfjs-wasm, tfjs-webgl, tfjs-webgpu, or pass an Engine object.',
    );
  });
});

describe('fit / evaluate / predict / explain', () => {
  // One seeded model trained twice (a and b) on a small set, shared by the behaviours below.
  const events: string[] = [];
  const run = async () => {
    const model = await GruClassifier.create(small);
    const history = await model.fit(train, {
      epochs: 6,
      batchSize: 16,
      learningRate: 0.02,
      validation: test,
      onTrainBegin: (i) => {
        events.push(`begin ${i.trainCount} ${i.batchesPerEpoch}`);
      },
      onEpochBegin: (i) => {
        events.push(`epoch ${i.epoch}`);
      },
      onBatchEnd: (i) => {
        if (!(i.samplesPerSecond > 0 && i.etaSeconds >= 0 && i.loss > 0)) events.push('bad batch info');
      },
      onEpochEnd: (log) => {
        events.push(`end ${log.epoch} ${log.valAccuracy !== undefined}`);
      },
    });
    return { model, history };
  };
  let a: Awaited<ReturnType<typeof run>>;
  let b: Awaited<ReturnType<typeof run>>;
  let evaluation: Evaluation;
  let predictions: Prediction[];
  beforeAll(async () => {
    a = await run();
    evaluation = await a.model.evaluate(test, { topK: 2 });
    predictions = await a.model.predict(test, { topK: 3 });
  });

  it('reports progress through the fit callbacks, in order', () => {
    expect(events.slice(0, 4)).toEqual(['begin 90 6', 'epoch 1', 'end 1 true', 'epoch 2']);
    expect(events).not.toContain('bad batch info');
  });

  it('learns a small set: the loss falls, the view is normalized, evaluate finds ≥ 90 %', () => {
    expect(a.history.stopReason).toBe('completed');
    expect(a.history.epochs).toHaveLength(6);
    expect(a.history.epochs[5]!.loss).toBeLessThan(a.history.epochs[0]!.loss);
    expect(a.model.view.normalize!.mean).toBeGreaterThan(0);
    expect(evaluation.accuracy).toBeGreaterThanOrEqual(0.9);
    expect(evaluation.confusion.flat().reduce((s, v) => s + v, 0)).toBe(30);
    expect(evaluation.topKAccuracy).toBeGreaterThanOrEqual(evaluation.accuracy);
  });

  it('records a training summary that says what the bits depend on', () => {
    expect(a.model.trainingSummary).toMatchObject({ engine: 'math', epochs: 6, samples: 90, batchSize: 16 });
    expect(a.model.trainingSummary!.bitsDependOn).toMatch(/4 fixed gradient shards.*not on the thread count/);
  });

  it('is deterministic for a seed: a second run gives the same weights', async () => {
    b = await run();
    expect(events).not.toContain('bad batch info');
    const wa = a.model.getWeights();
    const wb = b.model.getWeights();
    wa.forEach((w, i) => {
      expect(Array.from(wb[i]!.values)).toEqual(Array.from(w.values));
    });
  });

  it('predicts a set, a differently sized RGB picture and an ImageData-like picture', async () => {
    expect(predictions).toHaveLength(30);
    const correct = predictions.filter((p, i) => p.label === test.labels[i]).length;
    expect(correct / 30).toBeCloseTo(evaluation.accuracy, 12);
    expect(predictions[0]!.top.map((t) => t.probability)).toEqual(
      [...predictions[0]!.top.map((t) => t.probability)].sort((x, y) => y - x),
    );
    const vertical = new Uint8Array(16 * 16 * 3);
    for (let y = 0; y < 16; y++)
      for (let x = 6; x < 8; x++) vertical.fill(255, (y * 16 + x) * 3, (y * 16 + x) * 3 + 3);
    const [rgb] = await a.model.predict({ width: 16, height: 16, channels: 3, pixels: vertical });
    expect(rgb!.className).toBe('v');
    const rgba = new Uint8ClampedArray(8 * 8 * 4);
    for (let x = 0; x < 8; x++) rgba.fill(255, (4 * 8 + x) * 4, (4 * 8 + x) * 4 + 4);
    const [fromImageData] = await a.model.predict({ width: 8, height: 8, data: rgba });
    expect(fromImageData!.className).toBe('h');
  });

  it('explains a picture row by row; the last step equals predict', async () => {
    const explanation = await a.model.explain(test, 4);
    expect(explanation.timeSteps).toBe(8);
    expect(explanation.stepProbabilities).toHaveLength(8 * 3);
    expect(explanation.layers[0]!.h).toHaveLength(8 * 12);
    expect(Object.keys(explanation.layers[0]!.gates).sort()).toEqual(['hCandidate', 'r', 'z']);
    expect(explanation.steps).toHaveLength(8);
    for (let c = 0; c < 3; c++) {
      expect(explanation.stepProbabilities[7 * 3 + c]!).toBeCloseTo(predictions[4]!.probabilities[c]!, 5);
    }
    expect(explanation.prediction.label).toBe(predictions[4]!.label);
  });

  it('refuses a set of another shape or class count', async () => {
    const model = await GruClassifier.create(small);
    await expect(model.fit(barsSet(6, 1, 10))).rejects.toThrow(
      'fit: the training set holds 10×10×1 images but the model reads 8×8×1. Resize the set first',
    );
    await expect(model.evaluate({ ...test, classNames: ['a', 'b'] })).rejects.toThrow(
      'evaluate: the test set has 2 classes but the model has 3 (h, v, d). Use a set with the same classes.',
    );
    await expect(model.fit(train, { epochs: 1, clipNorm: -1 })).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringMatching(/^fit: .*clipNorm/),
      }),
    );
    await expect(model.fit(train, { validation: 1.5 })).rejects.toThrow(
      'fit: validation fraction must be in (0, 1), got 1.5.',
    );
    await expect(model.predict({ width: 2, height: 2, data: new Uint8ClampedArray(3) })).rejects.toThrow(
      'image: ImageData of 2×2 must hold 16 RGBA bytes, got 3. Pass the ImageData from getImageData() unchanged.',
    );
  });
});

/** Wraps the math engine so the nth training step reports a NaN loss, as a diverging run would. */
function nanAfter(steps: number): Engine {
  return {
    name: 'math',
    async create(spec, options) {
      const inner = await mathEngine.create(spec, options);
      let calls = 0;
      const network: Network = Object.create(inner);
      network.trainBatch = async (x, y, b) => {
        const r = await inner.trainBatch(x, y, b);
        return ++calls >= steps ? { ...r, loss: Number.NaN } : r;
      };
      return network;
    },
  };
}

describe('training safeguards', () => {
  it('stops on a NaN loss with the step, the advice, and the last good weights', async () => {
    const model = await GruClassifier.create({ ...small, engine: nanAfter(9) });
    let afterEpoch1: Float32Array | undefined;
    const failure = await model
      .fit(train, {
        epochs: 3,
        batchSize: 16,
        onEpochEnd: () => {
          afterEpoch1 ??= model.getWeights()[0]!.values;
        },
      })
      .catch((e: unknown) => e);
    expect(GruClassifierError.isInstance(failure) && failure.code).toBe('NON_FINITE_LOSS');
    expect((failure as Error).message).toBe(
      'Training diverged: the loss became NaN at epoch 2, batch 3 (step 9) with learning rate 0.001. ' +
        'The model keeps the weights from the start of epoch 2. Lower the learning rate (e.g. 0.0001) or clip gradients (e.g. clipNorm: 1).',
    );
    expect(Array.from(model.getWeights()[0]!.values)).toEqual(Array.from(afterEpoch1!));
  });

  it('stops after the current batch when the signal aborts', async () => {
    const model = await GruClassifier.create(small);
    const controller = new AbortController();
    let batches = 0;
    const history = await model.fit(train, {
      epochs: 5,
      batchSize: 16,
      signal: controller.signal,
      onBatchEnd: () => {
        if (++batches === 2) controller.abort();
      },
    });
    expect(batches).toBe(2);
    expect(history.stopReason).toBe('aborted');
    expect(history.epochs).toEqual([]);
  });

  it('stops early and restores the best weights', async () => {
    const model = await GruClassifier.create(small);
    const seen: Float32Array[] = [];
    const history = await model.fit(train, {
      epochs: 6,
      batchSize: 16,
      learningRate: 0.02,
      earlyStopping: { monitor: 'loss', patience: 2, minDelta: 100 },
      onEpochEnd: () => {
        seen.push(model.getWeights()[0]!.values);
      },
    });
    expect(history.stopReason).toBe('earlyStopping');
    expect(history.epochs).toHaveLength(3);
    expect(history.bestEpoch).toBe(1);
    expect(Array.from(model.getWeights()[0]!.values)).toEqual(Array.from(seen[0]!));
    expect(model.trainingSummary).toMatchObject({ bestEpoch: 1, stoppedEarly: true });
  });

  it('follows a schedule: step decay shows in the epoch logs', async () => {
    const model = await GruClassifier.create(small);
    const history = await model.fit(train, {
      epochs: 3,
      batchSize: 30,
      learningRate: 0.01,
      schedule: { type: 'step', everyEpochs: 1, gamma: 0.5 },
    });
    expect(history.epochs.map((e) => e.learningRate)).toEqual([0.01, 0.005, 0.0025]);
  });
});

describe('checkpoints and artifacts', () => {
  it('resuming after epoch k gives the same final weights as an uninterrupted run', async () => {
    const options = { epochs: 4, batchSize: 16, learningRate: 0.01, validation: 0.2, dropout: 0.1 } as const;
    const { model: full, history: fullHistory, saved } = await fitSavingCheckpoints(small, train, options);
    expect(saved.map((c) => c.epoch)).toEqual([1, 2, 3, 4]);

    const resumed = await GruClassifier.create({ ...small, seed: 3 });
    const history = await resumed.fit(train, { ...options, resumeFrom: saved[1]! });
    expect(history.epochs.map((e) => e.epoch)).toEqual([1, 2, 3, 4]);
    expect(history.epochs[3]!.loss).toBe(fullHistory.epochs[3]!.loss);
    const a = full.getWeights();
    resumed.getWeights().forEach((w, i) => {
      expect(Array.from(w.values)).toEqual(Array.from(a[i]!.values));
    });
    expect(resumed.view).toEqual(full.view);
  });

  it('a second fit continues the optimizer state of the first', async () => {
    const saved: Checkpoint[] = [];
    const model = await GruClassifier.create(small);
    await model.fit(train, { epochs: 1, batchSize: 30 });
    await model.fit(train, { epochs: 1, batchSize: 30, checkpoint: { save: (c) => void saved.push(c) } });
    expect(saved[0]!.optimizer.step).toBe(6);
    await model.fit(train, {
      epochs: 1,
      batchSize: 30,
      optimizer: 'sgd',
      checkpoint: { save: (c) => void saved.push(c) },
    });
    expect(saved[1]!.optimizer.step).toBe(3);
  });

  it('refuses a checkpoint of another model', async () => {
    const saved: Checkpoint[] = [];
    const model = await GruClassifier.create(small);
    await model.fit(train, { epochs: 1, batchSize: 45, checkpoint: { save: (c) => void saved.push(c) } });
    const other = await GruClassifier.create({ ...small, units: 5 });
    await expect(other.fit(train, { epochs: 2, resumeFrom: saved[0]! })).rejects.toThrow(
      'resumeFrom: the checkpoint was made with another model spec. Resume with the same model options and fit options.',
    );
  });

  it('round-trips through artifacts with identical predictions', async () => {
    const model = await GruClassifier.create({ ...small, preprocess: 'mnist' });
    await model.fit(train, { epochs: 1, batchSize: 30 });
    const artifacts = model.toArtifacts();
    const copy = await GruClassifier.fromArtifacts({
      modelJson: JSON.stringify(artifacts.modelJson),
      weightData: artifacts.weightData.slice(),
    });
    expect(copy.preprocess).toBe('mnist');
    expect(copy.view).toEqual(model.view);
    expect(copy.trainingSummary).toEqual(model.trainingSummary);
    const p1 = await model.predict(test);
    const p2 = await copy.predict(test);
    p1.forEach((p, i) => {
      expect(Array.from(p2[i]!.probabilities)).toEqual(Array.from(p.probabilities));
    });
  });
});

describe('digit preprocessing of pictures (preprocess: mnist)', () => {
  // A dark stroke on light paper, off-centre: preprocessDigit inverts, crops and centres it, and a second
  // pass over its own 28×28 output gives other pixels, so a picture prepared twice would show.
  const paper = new Uint8Array(40 * 36).fill(230);
  for (let y = 6; y < 30; y++)
    paper.fill(30, y * 36 + 20 - Math.floor(y / 3), y * 36 + 23 - Math.floor(y / 3));
  for (let x = 12; x < 26; x++) paper.fill(30, 6 * 36 + x, 6 * 36 + x + 1);
  const picture: RawImage = { width: 36, height: 40, channels: 1, pixels: paper };
  const shape = { height: 28, width: 28, channels: 1 } as const;
  const once = fitImage(preprocessDigit(picture), shape);
  const twice = fitImage(preprocessDigit(once), shape);
  const asSet = (image: RawImage): ImageSet => ({
    count: 1,
    ...shape,
    pixels: image.pixels,
    labels: new Int32Array(1),
    classNames: small.classNames,
  });

  it('prepares a picture once: prepare, explain and predict see preprocessDigit applied one time', async () => {
    expect(Array.from(twice.pixels)).not.toEqual(Array.from(once.pixels));
    const model = await GruClassifier.create({ ...small, height: 28, width: 28, preprocess: 'mnist' });
    expect(Array.from(model.prepare(picture).pixels)).toEqual(Array.from(once.pixels));
    expect(Array.from((await model.explain(picture)).image.pixels)).toEqual(Array.from(once.pixels));
    // A set in the model's shape is used as is: the prepared picture as a set predicts what the picture does.
    const [fromPicture] = await model.predict(picture);
    const [fromPrepared] = await model.predict(asSet(model.prepare(picture)));
    const [fromTwice] = await model.predict(asSet(twice));
    expect(Array.from(fromPrepared!.probabilities)).toEqual(Array.from(fromPicture!.probabilities));
    expect(Array.from(fromTwice!.probabilities)).not.toEqual(Array.from(fromPicture!.probabilities));
    model.dispose();
  });
});
