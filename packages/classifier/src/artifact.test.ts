import type { ModelSpec } from '@gruvision/math';
import { weightLayout } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import pkg from '../package.json' with { type: 'json' };
import { loadInPlainTfjs } from './__fixtures__/plain-tfjs';
import { randomWeights, referenceGruPredict } from './__fixtures__/reference';
import type { GruvisionMetadata } from './artifact';
import {
  checkRelativePath,
  decodeArtifacts,
  encodeArtifacts,
  parseModelJson,
  weightsFromBytes,
} from './artifact';
import { CLASSIFIER_VERSION } from './version';

const spec: ModelSpec = {
  timeSteps: 5,
  features: 4,
  classes: 3,
  layers: [
    { cell: 'gru', units: 6, resetAfter: false, recurrentActivation: 'sigmoid' },
    { cell: 'gru', units: 5, resetAfter: false, recurrentActivation: 'sigmoid' },
  ],
};

const metadata: Omit<GruvisionMetadata, 'formatVersion' | 'version'> = {
  classNames: ['a', 'b', 'c'],
  input: { height: 5, width: 4, channels: 1 },
  view: { mode: 'rows', normalize: { mean: 0.1, std: 0.3 } },
  preprocess: 'none',
  spec,
  seed: 7,
};

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('encodeArtifacts / decodeArtifacts', () => {
  it('round-trips metadata and weights exactly', () => {
    const weights = randomWeights(spec, 1);
    const artifacts = encodeArtifacts(metadata, weights);
    expect(artifacts.weightData.byteLength).toBe(weights.reduce((n, w) => n + w.values.length * 4, 0));
    const text = JSON.stringify(artifacts.modelJson);
    const decoded = decodeArtifacts({ modelJson: text, weightData: artifacts.weightData });
    expect(decoded.metadata).toMatchObject({ ...metadata, formatVersion: 1, version: CLASSIFIER_VERSION });
    expect(decoded.weights.map((w) => w.name)).toEqual(weights.map((w) => w.name));
    decoded.weights.forEach((w, i) => {
      expect(Array.from(w.values)).toEqual(Array.from(weights[i]!.values));
    });
  });

  it("writes package.json's version into the model file", () => {
    expect(CLASSIFIER_VERSION).toBe(pkg.version);
    const { modelJson } = encodeArtifacts(metadata, randomWeights(spec, 1));
    expect(modelJson.userDefinedMetadata.gruvision.version).toBe(pkg.version);
    expect(modelJson.generatedBy).toBe(`gruvision ${pkg.version}`);
  });

  it('reads a model file written by an older release (version 0.0.0)', () => {
    const weights = randomWeights(spec, 4);
    const { modelJson, weightData } = encodeArtifacts(metadata, weights);
    const old = JSON.parse(JSON.stringify(modelJson));
    old.generatedBy = 'gruvision 0.0.0';
    old.userDefinedMetadata.gruvision.version = '0.0.0';
    const decoded = decodeArtifacts({ modelJson: JSON.stringify(old), weightData });
    expect(decoded.metadata).toMatchObject({ ...metadata, formatVersion: 1, version: '0.0.0' });
    expect(Array.from(decoded.weights[0]!.values)).toEqual(Array.from(weights[0]!.values));
  });

  it('opens in plain tf.loadLayersModel with the same predictions as a reference GRU', async () => {
    const weights = randomWeights(spec, 2);
    const model = await loadInPlainTfjs(encodeArtifacts(metadata, weights));
    const x = Float32Array.from({ length: 2 * 5 * 4 }, (_, i) => Math.sin(i));
    const out = tf.tidy(() => (model.predict(tf.tensor3d(x, [2, 5, 4])) as tf.Tensor).dataSync());
    for (let b = 0; b < 2; b++) {
      const expected = referenceGruPredict(spec, weights, x.subarray(b * 20, (b + 1) * 20));
      for (let c = 0; c < 3; c++) expect(out[b * 3 + c]!).toBeCloseTo(expected[c]!, 5);
    }
    model.dispose();
  });
});

describe('parseModelJson on untrusted input', () => {
  const good = () => JSON.parse(JSON.stringify(encodeArtifacts(metadata, randomWeights(spec, 3)).modelJson));

  it('rejects bad JSON, naming the file and the fix', () => {
    expect(() => parseModelJson('{"format":', 'm/model.json')).toThrow(
      /^m\/model\.json: is not valid JSON( \(at byte \d+\))?\. Save the model again or restore the file from a backup\.$/,
    );
  });

  it('rejects a model without gruvision metadata', () => {
    const json = good();
    delete json.userDefinedMetadata;
    expect(() => parseModelJson(json)).toThrow(
      'model.json: has no userDefinedMetadata.gruvision (class names, view, spec). It was not saved by gruvision',
    );
  });

  it('rejects weight paths that leave the directory', () => {
    for (const path of [
      '../secret.bin',
      '/etc/passwd',
      'a/../../b.bin',
      'C:\\x.bin',
      'https://x/y.bin',
      './w.bin',
    ]) {
      const json = good();
      json.weightsManifest[0].paths = [path];
      expect(() => parseModelJson(json), path).toThrow(expect.objectContaining({ code: 'UNSAFE_PATH' }));
    }
    expect(() => checkRelativePath('../x.bin')).toThrow(
      'model.json: weight path "../x.bin" leaves the model directory. Weight files must sit inside the model directory',
    );
    expect(checkRelativePath('shards/group1-shard1of1.bin')).toBe('shards/group1-shard1of1.bin');
  });

  it('rejects shapes that disagree with the spec', () => {
    const json = good();
    json.weightsManifest[0].weights[0].shape = [4, 999];
    expect(() => parseModelJson(json)).toThrow(
      'model.json: weight gru/kernel has shape [4,999] but the spec needs [4, 18]. The manifest and the spec disagree',
    );
  });

  it('rejects a spec that disagrees with the topology or the class names', () => {
    const json = good();
    json.modelTopology.config.layers[0].config.units = 7;
    expect(() => parseModelJson(json)).toThrow(
      'model.json: modelTopology layer 0 has units 7, the spec gives 6.',
    );
    const json2 = good();
    json2.userDefinedMetadata.gruvision.classNames = ['a', 'b'];
    expect(() => parseModelJson(json2)).toThrow('model.json: names 2 classes but its spec has 3.');
  });

  it('refuses huge declared sizes before allocating anything', () => {
    const json = good();
    const g = json.userDefinedMetadata.gruvision;
    g.spec = { ...g.spec, layers: [{ ...g.spec.layers[0], units: 100_000 }, g.spec.layers[1]] };
    json.modelTopology.config.layers[0].config.units = 100_000;
    json.weightsManifest[0].weights = weightLayout(g.spec).entries.map((e) => ({ ...e, dtype: 'float32' }));
    expect(() => parseModelJson(json)).toThrow(
      'model.json: userDefinedMetadata.gruvision spec.layers[0].units is 100000, more than the 4096 allowed (limit maxUnits).',
    );
    expect(() => parseModelJson(json, 'model.json', { maxUnits: 100_000 })).toThrow(
      /weights \(bytes\) is \d+, more than the 1073741824 allowed \(limit maxWeightBytes\)\. .*raise maxWeightBytes only if you trust the model/,
    );
    expect(() => parseModelJson('x'.repeat(100), 'model.json', { maxModelJsonBytes: 10 })).toThrow(
      'model.json: is 100 characters, more than the 10 allowed.',
    );
  });

  it('refuses specs with absurd layer counts before computing their layout', () => {
    const json = good();
    json.userDefinedMetadata.gruvision.spec.layers = Array.from({ length: 100_000 }, () => ({
      cell: 'gru',
      units: 1,
    }));
    expect(() => parseModelJson(json)).toThrow(
      'model.json: userDefinedMetadata.gruvision spec.layers (count) is 100000, more than the 64 allowed (limit maxLayers).',
    );
  });

  it('rejects truncated or corrupt weight bytes', () => {
    const { modelJson, weightData } = encodeArtifacts(metadata, randomWeights(spec, 4));
    const parsed = parseModelJson(modelJson);
    expect(() => weightsFromBytes(parsed, weightData.subarray(0, 100), 'm/weights.bin')).toThrow(
      `m/weights.bin: holds 100 bytes but model.json declares ${weightData.byteLength}. The file is truncated`,
    );
    const corrupt = weightData.slice();
    new DataView(corrupt.buffer).setFloat32(8, Number.NaN, true);
    expect(() => weightsFromBytes(parsed, corrupt)).toThrow(
      'weights.bin: weight gru/kernel holds a non-finite value at index 2.',
    );
  });
});

describe('the two hard sigmoids in artifacts', () => {
  const hardSpec = (recurrentActivation: 'hardSigmoid' | 'hardSigmoidKeras3'): ModelSpec => ({
    ...spec,
    layers: spec.layers.map((l) => ({ ...l, recurrentActivation })),
  });
  const activations = (json: {
    modelTopology: { config: { layers: { config: Record<string, unknown> }[] } };
  }) =>
    json.modelTopology.config.layers.map((l) => l.config.recurrent_activation).filter((a) => a !== undefined);

  it('writes explicit names, never a bare hard_sigmoid', () => {
    for (const [act, name] of [
      ['hardSigmoid', 'hard_sigmoid_tfjs'],
      ['hardSigmoidKeras3', 'hard_sigmoid_keras3'],
    ] as const) {
      const s = hardSpec(act);
      const { modelJson } = encodeArtifacts({ ...metadata, spec: s }, randomWeights(s, 1));
      expect(activations(modelJson as never)).toEqual([name, name]);
      expect(parseModelJson(JSON.stringify(modelJson)).metadata.spec.layers[0]!.recurrentActivation).toBe(
        act,
      );
    }
  });

  it("still opens an artifact written before (hard_sigmoid from tfjs-layers means 'hardSigmoid', 0.2x)", () => {
    const s = hardSpec('hardSigmoid');
    const { modelJson } = encodeArtifacts({ ...metadata, spec: s }, randomWeights(s, 1));
    const old = JSON.parse(JSON.stringify(modelJson).replaceAll('"hard_sigmoid_tfjs"', '"hard_sigmoid"'));
    expect(old.modelTopology.keras_version).toMatch(/^tfjs-layers/);
    expect(parseModelJson(JSON.stringify(old)).metadata.spec.layers[0]!.recurrentActivation).toBe(
      'hardSigmoid',
    );
  });

  it('refuses a topology whose hard sigmoid disagrees with the spec', () => {
    const s = hardSpec('hardSigmoidKeras3');
    const { modelJson } = encodeArtifacts({ ...metadata, spec: s }, randomWeights(s, 1));
    const wrong = JSON.stringify(modelJson).replaceAll('"hard_sigmoid_keras3"', '"hard_sigmoid"');
    expect(() => parseModelJson(wrong)).toThrow(
      /recurrent_activation "hard_sigmoid", the spec gives "hard_sigmoid_keras3"/,
    );
  });
});
