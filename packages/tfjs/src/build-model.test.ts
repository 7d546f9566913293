import type { ModelSpec } from '@gruvision/math';
import { weightLayout } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  maxAbsDiff,
  randomInputs,
  randomWeights,
  referenceGru,
  testBackends,
} from './__fixtures__/test-utils';
import { initBackend } from './backends';
import { buildModel } from './build-model';
import { GruTfjsError } from './errors';
import { getNamedWeights, setNamedWeights, toTfjsWeights } from './weights';

const specs: Record<string, ModelSpec> = {
  gru: { timeSteps: 4, features: 3, classes: 3, layers: [{ cell: 'gru', units: 5 }] },
  gruResetAfter: {
    timeSteps: 4,
    features: 3,
    classes: 3,
    layers: [{ cell: 'gru', units: 5, resetAfter: true }],
  },
  stacked: {
    timeSteps: 4,
    features: 3,
    classes: 4,
    headDropout: 0.2,
    layers: [
      { cell: 'lstm', units: 4, dropout: 0.1 },
      { cell: 'gru', units: 3, bidirectional: true, resetAfter: true, recurrentActivation: 'hardSigmoid' },
      { cell: 'simpleRnn', units: 2, goBackwards: true },
    ],
  },
};

describe.each(testBackends)('buildModel on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });

  it('names every weight exactly as the canonical layout, in its order and shapes', () => {
    for (const spec of Object.values(specs)) {
      const model = buildModel(spec);
      const layout = weightLayout(spec).entries;
      expect(model.weights.map((w) => w.originalName)).toEqual(layout.map((e) => e.name));
      expect(model.weights.map((w) => w.shape)).toEqual(layout.map((e) => e.shape));
      model.dispose();
    }
  });

  it('passes recurrentActivation explicitly and keeps resetAfter in the layer config', () => {
    const model = buildModel(specs.stacked!);
    const configs = model.layers.map((l) => l.getConfig());
    expect(configs[0]).toMatchObject({ name: 'lstm', recurrentActivation: 'sigmoid', returnSequences: true });
    const bidi = configs[1] as {
      layer: { config: Record<string, unknown> };
      mergeMode: string;
      name: string;
    };
    expect(bidi.name).toBe('bidirectional');
    expect(bidi.mergeMode).toBe('concat');
    expect(bidi.layer.config).toMatchObject({
      name: 'gru',
      recurrentActivation: 'hardSigmoid',
      resetAfter: true,
    });
    expect(configs[2]).toMatchObject({ name: 'simple_rnn', goBackwards: true, returnSequences: false });
    expect(model.layers.map((l) => l.name)).toEqual([
      'lstm',
      'bidirectional',
      'simple_rnn',
      'head_dropout',
      'dense',
    ]);
    model.dispose();
  });

  it('round-trips weights exactly: math layout → tfjs → math layout', () => {
    for (const spec of Object.values(specs)) {
      const weights = randomWeights(spec, 11);
      const model = buildModel(spec, { weights });
      const back = getNamedWeights(model, spec);
      expect(back.map((w) => w.name)).toEqual(weights.map((w) => w.name));
      back.forEach((w, i) => {
        expect(w.shape).toEqual(weights[i]!.shape);
        expect(w.values).toEqual(weights[i]!.values);
      });
      const tensors = toTfjsWeights(spec, weights);
      model.setWeights(tensors);
      expect(getNamedWeights(model, spec)[0]!.values).toEqual(weights[0]!.values);
      tf.dispose(tensors);
      model.dispose();
    }
  });

  it('predicts what the GRU equations of docs/ARCHITECTURE.md give (resetAfter true)', () => {
    const spec = specs.gruResetAfter!;
    const weights = randomWeights(spec, 3);
    const model = buildModel(spec, { weights });
    const x = randomInputs(2 * 4 * 3, 5);
    const probs = tf.tidy(() => (model.predict(tf.tensor3d(x, [2, 4, 3])) as tf.Tensor).dataSync());
    const byName = Object.fromEntries(weights.map((w) => [w.name, w.values]));
    const h = referenceGru(
      x,
      { B: 2, T: 4, I: 3, u: 5 },
      {
        kernel: byName['gru/kernel']!,
        recurrentKernel: byName['gru/recurrent_kernel']!,
        bias: byName['gru/bias']!,
      },
      { resetAfter: true },
    );
    const expected: number[] = [];
    for (let b = 0; b < 2; b++) {
      const last = h.subarray((b * 4 + 3) * 5, (b * 4 + 4) * 5);
      const logits = [0, 1, 2].map((c) => {
        let s = byName['dense/bias']![c]!;
        for (let k = 0; k < 5; k++) s += last[k]! * byName['dense/kernel']![k * 3 + c]!;
        return s;
      });
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const sum = e.reduce((a, v) => a + v, 0);
      expected.push(...e.map((v) => v / sum));
    }
    expect(maxAbsDiff(probs, expected)).toBeLessThan(1e-5);
    model.dispose();
  });

  it('rejects weights that do not fit the spec with a clear error', () => {
    const spec = specs.gru!;
    const model = buildModel(spec);
    const weights = randomWeights(spec, 1);
    const missing = weights.slice(1);
    expect(() => setNamedWeights(model, spec, missing)).toThrow(GruTfjsError);
    expect(() => setNamedWeights(model, spec, missing)).toThrow(/Weight "gru\/kernel" is missing/);
    const wrong = weights.map((w) =>
      w.name === 'dense/bias' ? { ...w, shape: [4], values: new Float32Array(4) } : w,
    );
    expect(() => setNamedWeights(model, spec, wrong)).toThrow(
      /"dense\/bias" has shape \[4\].*expected \[3\]/,
    );
    const extra = [...weights, { name: 'gru/extra', shape: [1], values: new Float32Array(1) }];
    expect(() => toTfjsWeights(spec, extra)).toThrow(/Unknown weight\(s\) gru\/extra/);
    expect(() => getNamedWeights(model, specs.gruResetAfter!)).toThrow(
      /"gru\/bias" has shape \[15\] in the tfjs model but \[2,15\]/,
    );
    model.dispose();
  });
});
