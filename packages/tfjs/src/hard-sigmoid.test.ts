import type { ModelSpec, NamedWeight } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  keras3ModelFiles,
  maxAbsDiff,
  randomInputs,
  randomWeights,
  referenceGru,
} from './__fixtures__/test-utils';
import { memoryFilesHandler } from './artifacts';
import { initBackend } from './backends';
import { buildModel } from './build-model';
import { readHardSigmoid } from './hard-sigmoid';
import { explicitHardSigmoids, normalizeKerasConfig } from './keras-config';
import { type HardSigmoidNote, loadModel } from './load-model';
import { registerLayers } from './register-layers';

const T = 5;
const F = 3;
const units = 4;
const classes = 3;
const B = 6;

/** Float64 class probabilities of GRU → Dense(softmax), from the formulas. */
function referenceProbabilities(
  x: Float32Array,
  weights: readonly NamedWeight[],
  options: { resetAfter: boolean; keras3?: boolean; hard?: boolean },
): Float64Array {
  const get = (name: string): Float32Array => weights.find((w) => w.name === name)!.values;
  const hs = referenceGru(
    x,
    { B, T, I: F, u: units },
    { kernel: get('gru/kernel'), recurrentKernel: get('gru/recurrent_kernel'), bias: get('gru/bias') },
    options,
  );
  const k = get('dense/kernel');
  const bias = get('dense/bias');
  const out = new Float64Array(B * classes);
  for (let b = 0; b < B; b++) {
    const logits = Array.from({ length: classes }, (_, c) => {
      let s = bias[c]!;
      for (let j = 0; j < units; j++) s += hs[(b * T + T - 1) * units + j]! * k[j * classes + c]!;
      return s;
    });
    const max = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - max));
    const sum = e.reduce((a, v) => a + v, 0);
    for (let c = 0; c < classes; c++) out[b * classes + c] = e[c]! / sum;
  }
  return out;
}

/** The same file as Keras 2.15 / tf.keras would have it converted: batch_input_shape, string dtypes. */
function asKeras2(modelJson: object): object {
  const json = JSON.parse(JSON.stringify(modelJson));
  json.modelTopology.keras_version = '2.15.0';
  json.generatedBy = 'keras v2.15.0';
  const strip = (v: unknown): unknown => {
    if (Array.isArray(v)) return v.map(strip);
    if (v === null || typeof v !== 'object') return v;
    const o = v as Record<string, unknown>;
    if (o.class_name === 'DTypePolicy') return 'float32';
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(o)) {
      if (key === 'batch_shape') out.batch_input_shape = value;
      else if (key !== 'module' && key !== 'registered_name' && key !== 'seed') out[key] = strip(value);
    }
    return out;
  };
  json.modelTopology = strip(json.modelTopology);
  return json;
}

function predict(model: tf.LayersModel, x: Float32Array): Float32Array {
  return tf.tidy(() => (model.predict(tf.tensor3d(x, [B, T, F])) as tf.Tensor).dataSync() as Float32Array);
}

describe('reading a Keras file’s hard_sigmoid', () => {
  it('keras_version decides first, then the Keras 3 config layout, else tfjs’ 0.2x', () => {
    expect(readHardSigmoid({ keras_version: '3.6.0' })).toEqual({
      activation: 'hardSigmoidKeras3',
      reason: 'keras_version "3.6.0"',
    });
    expect(readHardSigmoid({ keras_version: '2.15.0' }).activation).toBe('hardSigmoid');
    expect(readHardSigmoid({ keras_version: 'tfjs-layers 4.22.0' }).activation).toBe('hardSigmoid');
    const inputLayer = { className: 'InputLayer', config: { batchShape: [null, 2, 3] } };
    expect(readHardSigmoid({ className: 'Sequential', config: { layers: [inputLayer] } })).toEqual({
      activation: 'hardSigmoidKeras3',
      reason: 'Keras 3 config layout (InputLayer batch_shape)',
    });
    expect(readHardSigmoid({ config: { layers: [{ className: 'GRU', config: {} }] } }).activation).toBe(
      'hardSigmoid',
    );
  });

  it('names it explicitly without touching the input', () => {
    const topology = {
      keras_version: '3.1.0',
      model_config: {
        config: { layers: [{ config: { name: 'gru', recurrent_activation: 'hard_sigmoid' } }] },
      },
    };
    const copy = JSON.stringify(topology);
    const out = explicitHardSigmoids(topology);
    expect(JSON.stringify(topology)).toBe(copy);
    expect(out.layers).toEqual(['gru']);
    expect(JSON.stringify(out.topology)).toContain('"recurrent_activation":"hard_sigmoid_keras3"');
    // gruvision's own explicit 0.2x name becomes tfjs' hardSigmoid; a Keras 3 config's hardSigmoid x/6.
    const camel = (act: string, keras3: boolean) =>
      normalizeKerasConfig({
        className: 'Sequential',
        config: {
          layers: [
            ...(keras3 ? [{ className: 'InputLayer', config: { batchShape: [null, 1, 1] } }] : []),
            { className: 'GRU', config: { recurrentActivation: act } },
          ],
        },
      }).config.layers.at(-1)!.config.recurrentActivation;
    expect(camel('hardSigmoidTfjs', false)).toBe('hardSigmoid');
    expect(camel('hardSigmoid', false)).toBe('hardSigmoid');
    expect(camel('hardSigmoid', true)).toBe('hardSigmoidKeras3');
    expect(camel('hardSigmoidKeras3', false)).toBe('hardSigmoidKeras3');
  });
});

describe('Keras 3 converter model.json with hard_sigmoid GRUs (cpu)', () => {
  beforeAll(async () => {
    registerLayers();
    await initBackend('cpu');
  });

  for (const resetAfter of [true, false]) {
    const spec: ModelSpec = {
      timeSteps: T,
      features: F,
      classes,
      layers: [{ cell: 'gru', units, resetAfter }],
    };
    // Large weights put gate inputs in the clipped ends and the linear middle of both functions.
    const weights = randomWeights(spec, 5, 1.5);
    const x = randomInputs(B * T * F, 6);
    const files = keras3ModelFiles({ T, F, units, classes }, weights, 'h5', {
      recurrent_activation: 'hard_sigmoid',
      reset_after: resetAfter,
    });
    const keras3 = referenceProbabilities(x, weights, { resetAfter, keras3: true });
    const keras2 = referenceProbabilities(x, weights, { resetAfter, hard: true });

    it(`reset_after ${resetAfter}: loadModel reads Keras 3's x/6 (keras_version) and says so`, async () => {
      // The two readings differ by far more than the tolerance on this input.
      expect(maxAbsDiff(keras3, keras2)).toBeGreaterThan(1e-3);
      const notes: HardSigmoidNote[] = [];
      const model = await loadModel(
        memoryFilesHandler(files.modelJson, { [files.shard]: files.weightData }),
        {
          onHardSigmoid: (note) => notes.push(note),
        },
      );
      expect(notes).toEqual([
        { activation: 'hardSigmoidKeras3', reason: 'keras_version "3.6.0"', layers: ['gru'] },
      ]);
      expect(maxAbsDiff(predict(model, x), keras3)).toBeLessThan(1e-6);
      model.dispose();
    });

    it(`reset_after ${resetAfter}: tf.loadLayersModel after registerLayers() reads x/6 from the config layout`, async () => {
      const model = await tf.loadLayersModel(
        memoryFilesHandler(files.modelJson, { [files.shard]: files.weightData }),
      );
      expect(maxAbsDiff(predict(model, x), keras3)).toBeLessThan(1e-6);
      model.dispose();
    });

    it(`reset_after ${resetAfter}: the same file from Keras 2 reads 0.2x`, async () => {
      const notes: HardSigmoidNote[] = [];
      const model = await loadModel(
        memoryFilesHandler(asKeras2(files.modelJson), { [files.shard]: files.weightData }),
        { onHardSigmoid: (note) => notes.push(note) },
      );
      expect(notes[0]).toMatchObject({ activation: 'hardSigmoid', reason: 'keras_version "2.15.0"' });
      expect(maxAbsDiff(predict(model, x), keras2)).toBeLessThan(1e-6);
      model.dispose();
    });

    it(`reset_after ${resetAfter}: buildModel runs 'hardSigmoidKeras3' as x/6`, () => {
      const s: ModelSpec = {
        ...spec,
        layers: [{ ...spec.layers[0]!, recurrentActivation: 'hardSigmoidKeras3' }],
      };
      const model = buildModel(s, { weights });
      expect(maxAbsDiff(predict(model, x), keras3)).toBeLessThan(1e-6);
      model.dispose();
    });
  }
});
