import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { barsModel, barsSet } from './__fixtures__/synthetic';
import { useTempFolder } from './__fixtures__/temp-folder';
import { GruClassifier } from './classifier';
import { loadClassifier, saveClassifier } from './node-io';

const train = barsSet(90, 1);
const test = barsSet(24, 2);
const small = barsModel(10, 4);

const root = useTempFolder('cross-engine');

function expectClose(a: Float32Array, b: Float32Array, tolerance = 1e-4): void {
  expect(a.length).toBe(b.length);
  for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(tolerance);
}

describe('across engines', () => {
  it('a model trained on math and loaded on tfjs-cpu predicts and explains the same (1e-4)', async () => {
    const model = await GruClassifier.create(small);
    await model.fit(train, { epochs: 2, batchSize: 15, learningRate: 0.01 });
    const onTfjs = await GruClassifier.fromArtifacts(model.toArtifacts(), { engine: 'tfjs-cpu' });
    expect(onTfjs.engine.name).toBe('tfjs-cpu');
    const [a, b] = [await model.predict(test), await onTfjs.predict(test)];
    a.forEach((p, i) => {
      expectClose(b[i]!.probabilities, p.probabilities);
    });
    const [ea, eb] = [await model.explain(test, 2), await onTfjs.explain(test, 2)];
    expectClose(eb.stepProbabilities, ea.stepProbabilities);
    expectClose(eb.layers[0]!.h, ea.layers[0]!.h);
    onTfjs.dispose();
  });

  it('a model trained on tfjs-cpu, saved and loaded on math predicts the same (1e-4), without leaking tensors', async () => {
    const model = await GruClassifier.create({ ...small, engine: 'tfjs-cpu' });
    const baseline = tf.memory().numTensors;
    const history = await model.fit(train, {
      epochs: 6,
      batchSize: 15,
      learningRate: 0.02,
      validation: test,
    });
    expect(history.epochs[5]!.valAccuracy).toBeGreaterThanOrEqual(0.85);
    const dir = join(root(), 'tfjs-trained');
    await saveClassifier(model, dir);
    const onMath = await loadClassifier(dir);
    expect(onMath.engine.name).toBe('math');
    expect(onMath.trainingSummary?.engine).toBe('tfjs-cpu');
    const [a, b] = [await model.predict(test), await onMath.predict(test)];
    a.forEach((p, i) => {
      expectClose(b[i]!.probabilities, p.probabilities);
    });
    await model.evaluate(test);
    await model.explain(test, 0);
    expect(tf.memory().numTensors).toBeLessThanOrEqual(baseline);
    model.dispose();
    expect(tf.memory().numTensors).toBeLessThan(baseline);
  });
});
