import type { ModelSpec } from '@gruvision/math';
import { initializeWeights } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomInputs, testBackends } from './__fixtures__/test-utils';
import { memoryHandler } from './artifacts';
import { initBackend } from './backends';
import { GruTfjsError } from './errors';
import { loadModel } from './load-model';
import { registerLayers } from './register-layers';
import { tfjsEngine } from './tfjs-engine';

/** A reset-after GRU with input and recurrent dropout, a stock bidirectional GRU with dropout, head dropout. */
function droppingGrus(
  timeSteps: number,
  features: number,
  classes: number,
  units: [number, number],
): ModelSpec {
  return {
    timeSteps,
    features,
    classes,
    headDropout: 0.1,
    layers: [
      { cell: 'gru', units: units[0], resetAfter: true, dropout: 0.1, recurrentDropout: 0.1 },
      { cell: 'gru', units: units[1], bidirectional: true, dropout: 0.1 },
    ],
  };
}

const spec = droppingGrus(4, 3, 3, [4, 3]);
const B = 6;
const x = randomInputs(B * 4 * 3, 1);
const y = Int32Array.from({ length: B }, (_, i) => i % 3);

describe.each(testBackends)('tfjsEngine on %s', (backend) => {
  beforeAll(async () => {
    registerLayers();
    await initBackend(backend);
  });

  it('is named after its backend and starts from the math core initial weights', async () => {
    const engine = tfjsEngine(backend);
    expect(engine.name).toBe(`tfjs-${backend}`);
    const net = await engine.create(spec, { seed: 7 });
    expect(tf.getBackend()).toBe(backend);
    const expected = initializeWeights(spec, 7);
    net.getWeights().forEach((w, i) => {
      expect(w.values).toEqual(expected[i]!.values);
    });
    net.dispose();
  });

  it('leaks no tensors over 100 training steps and 100 predictions', async () => {
    // Tiny on purpose: a reset-after GRU with dropouts and a stock bidirectional GRU with dropout.
    const tiny = droppingGrus(3, 2, 2, [2, 2]);
    const xs = randomInputs(2 * 3 * 2, 5);
    const ys = Int32Array.from([0, 1]);
    const net = await tfjsEngine(backend).create(tiny, {
      seed: 1,
      clipNorm: 1,
      l2: 1e-4,
      labelSmoothing: 0.1,
    });
    const before = tf.memory().numTensors;
    for (let i = 0; i < 100; i++) await net.trainBatch(xs, ys, 2);
    expect(tf.memory().numTensors).toBe(before);
    for (let i = 0; i < 100; i++) await net.predict(xs, 2);
    expect(tf.memory().numTensors).toBe(before);
    await net.trace(xs.subarray(0, 6));
    await net.computeGradients(xs, ys, 2);
    net.getOptimizerState();
    net.setOptimizerState(net.getOptimizerState());
    net.setWeights(net.getWeights());
    expect(tf.memory().numTensors).toBe(before);
    net.dispose();
  });

  it('frees every tensor it owns on dispose', async () => {
    const before = tf.memory().numTensors;
    const net = await tfjsEngine(backend).create(spec, { seed: 1 });
    await net.trainBatch(x, y, B);
    net.dispose();
    net.dispose();
    expect(tf.memory().numTensors).toBe(before);
    await expect(net.predict(x, B)).rejects.toThrow(/This network was disposed. Create a new one/);
    expect(() => net.getWeights()).toThrow(GruTfjsError);
  });

  it('learns: the loss on a fixed batch falls', async () => {
    const net = await tfjsEngine(backend).create(
      { ...spec, headDropout: 0, layers: [{ cell: 'gru', units: 8, resetAfter: true }] },
      { seed: 3, optimizer: { type: 'adam', learningRate: 0.05 } },
    );
    const first = await net.trainBatch(x, y, B);
    let last = first;
    for (let i = 0; i < 40; i++) last = await net.trainBatch(x, y, B);
    expect(last.loss).toBeLessThan(first.loss * 0.5);
    expect(last.correct).toBe(B);
    net.dispose();
  });

  it('moves weights, learning rate and optimizer state', async () => {
    const a = await tfjsEngine(backend).create(spec, {
      seed: 1,
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    });
    const b = await tfjsEngine(backend).create(spec, {
      seed: 2,
      optimizer: { type: 'sgd', learningRate: 0.1, momentum: 0.9 },
    });
    await a.trainBatch(x, y, B);
    b.setWeights(a.getWeights());
    b.setOptimizerState(a.getOptimizerState());
    expect(b.getOptimizerState().step).toBe(1);
    expect(maxAbsDiff(await b.predict(x, B), await a.predict(x, B))).toBe(0);
    a.setLearningRate(1e-9);
    const w0 = a.getWeights();
    await a.trainBatch(x, y, B);
    // with lr ≈ 0 only the momentum term moves the weights
    expect(maxAbsDiff(a.getWeights()[0]!.values, w0[0]!.values)).toBeGreaterThan(0);
    expect(() => a.setLearningRate(0)).toThrow(/learningRate must be a positive finite number, got 0/);
    expect(() => b.setOptimizerState({ step: 1, slots: { m: new Float32Array(3) } })).toThrow(
      /has slots \[m\] but a sgd optimizer needs \[momentum\]/,
    );
    a.dispose();
    b.dispose();
  });

  it('saves its model in the layers-model format that loads back with the same predictions', async () => {
    const net = await tfjsEngine(backend).create(spec, { seed: 4 });
    const handler = memoryHandler();
    await net.model.save(handler);
    const loaded = await loadModel(handler);
    const probs = tf.tidy(() => (loaded.predict(tf.tensor3d(x, [B, 4, 3])) as tf.Tensor).dataSync());
    expect(maxAbsDiff(probs, await net.predict(x, B))).toBeLessThan(1e-6);
    loaded.dispose();
    net.dispose();
  });

  it('rejects bad inputs with messages that say what to pass', async () => {
    const net = await tfjsEngine(backend).create(spec, { seed: 1 });
    // The engine contract's messages and codes, the same as the math engine's.
    await expect(net.predict(new Float32Array(5), 1)).rejects.toMatchObject({
      name: 'GruTfjsError',
      code: 'SHAPE_MISMATCH',
      message:
        'x has 5 values but shape [batch=1, timeSteps=4, features=3] needs 12. Pass x as a row-major buffer of shape [1, 4, 3].',
    });
    await expect(net.trainBatch(x, Int32Array.from([0, 1, 2, 3, 0, 1]), B)).rejects.toThrow(
      'y[3] is 3 but the model has 3 classes, so labels must be integers in [0, 2].',
    );
    await expect(net.predict(x, 0)).rejects.toThrow('batch must be a positive integer, got 0.');
    await expect(tfjsEngine(backend).create(spec, { seed: 1, clipNorm: -1 })).rejects.toThrow(
      /options.clipNorm must be a positive number, got -1/,
    );
    await expect(
      tfjsEngine(backend).create(spec, { seed: 1, optimizer: { type: 'lion' as 'sgd', learningRate: 1 } }),
    ).rejects.toThrow(/optimizer.type must be one of "sgd", "adam", "adamw", "rmsprop", got "lion"/);
    net.dispose();
  });
});
