import { describe, expect, it } from 'vitest';
import { GruInteropError } from './errors';
import { modelToOnnx } from './onnx-export';
import { onnx } from './onnx-proto';
import { runOnnxImages } from './ort';
import {
  COMBINATIONS,
  exportCase,
  interopModelOf,
  maxAbsDiff,
  predictProbabilities,
  randomClassifier,
  randomImages,
} from './test-models';

describe('modelToOnnx', () => {
  for (const combination of COMBINATIONS) {
    it(`${combination.name}: onnxruntime-node and onnxruntime-web give predict()'s probabilities within 1e-5`, async () => {
      const { model, bytes, nhwc, expected } = await exportCase(combination, 6);
      for (const runtime of ['onnxruntime-node', 'onnxruntime-web'] as const) {
        const out = await runOnnxImages(runtime, bytes, model.input, nhwc);
        expect(out.dims).toEqual([6, model.classNames.length]);
        expect(maxAbsDiff(out.data, expected), runtime).toBeLessThan(1e-5);
      }
      model.dispose();
    });
  }

  it('keeps the batch dynamic (one model, batches of 1 and 3)', async () => {
    const model = await randomClassifier(COMBINATIONS[1]!);
    const bytes = modelToOnnx(interopModelOf(model));
    for (const n of [1, 3]) {
      const { images, nhwc } = randomImages(model, n, 10 + n);
      const out = await runOnnxImages('onnxruntime-node', bytes, model.input, nhwc);
      expect(out.dims).toEqual([n, model.classNames.length]);
      expect(maxAbsDiff(out.data, await predictProbabilities(model, images))).toBeLessThan(1e-5);
    }
    model.dispose();
  });

  it('writes opset ≥ 14, ONNX recurrent operators and the gruvision metadata', async () => {
    const model = await randomClassifier(COMBINATIONS[3]!);
    const proto = onnx.ModelProto.decode(modelToOnnx(interopModelOf(model)));
    expect(Number(proto.opsetImport[0]!.version)).toBeGreaterThanOrEqual(14);
    const gru = proto.graph!.node!.find((n) => n.opType === 'GRU')!;
    const attrs = Object.fromEntries(gru.attribute!.map((a) => [a.name, a]));
    expect(Number(attrs.linear_before_reset!.i)).toBe(1);
    expect(new TextDecoder().decode(attrs.direction!.s!)).toBe('bidirectional');
    expect(attrs.activations!.strings!.map((s: Uint8Array) => new TextDecoder().decode(s))).toEqual([
      'HardSigmoid',
      'Tanh',
      'HardSigmoid',
      'Tanh',
    ]);
    expect(attrs.activation_alpha!.floats).toEqual([Math.fround(0.2), Math.fround(0.2)]);
    expect(attrs.activation_beta!.floats).toEqual([0.5, 0.5]);
    const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
    const gruvision = JSON.parse(meta.gruvision!);
    expect(gruvision.spec).toEqual(model.spec);
    expect(gruvision.view).toEqual(model.view);
    expect(gruvision.classNames).toEqual(model.classNames);
    expect(JSON.parse(meta.class_names!)).toEqual(model.classNames);
    model.dispose();
  });

  it('refuses NaN weights, a wrong weight size and an unknown gate activation with typed errors', async () => {
    const model = await randomClassifier(COMBINATIONS[0]!);
    const base = interopModelOf(model);
    const nan = base.weights.map((w, i) =>
      i === 1 ? { ...w, values: w.values.map((v, j) => (j === 2 ? Number.NaN : v)) } : w,
    );
    expect(() => modelToOnnx({ ...base, weights: nan }, { file: 'out.onnx' })).toThrow(
      /out\.onnx: weight gru\/recurrent_kernel holds NaN at index 2/,
    );
    const short = base.weights.map((w, i) => (i === 0 ? { ...w, values: w.values.subarray(1) } : w));
    expect(() => modelToOnnx({ ...base, weights: short })).toThrow(GruInteropError);
    const odd = {
      ...base,
      spec: {
        ...base.spec,
        layers: [{ ...base.spec.layers[0]!, recurrentActivation: 'softsign' as 'sigmoid' }],
      },
    };
    try {
      modelToOnnx(odd);
      expect.unreachable();
    } catch (error) {
      expect(GruInteropError.isInstance(error)).toBe(true);
      expect((error as GruInteropError).code).toBe('INVALID_ARGUMENT');
      expect((error as Error).message).toMatch(/recurrentActivation/);
    }
    model.dispose();
  });

  it('lists activation_alpha/beta once per parametric activation, as onnxruntime reads them', async () => {
    // Evidence for the convention: a different second alpha must change the backward direction.
    const { model, bytes, nhwc, expected } = await exportCase(COMBINATIONS[3]!, 4);
    const proto = onnx.ModelProto.decode(bytes);
    const gru = proto.graph!.node!.find((n) => n.opType === 'GRU')!;
    gru.attribute!.find((a) => a.name === 'activation_alpha')!.floats = [0.2, 0.9];
    const changed = onnx.ModelProto.encode(proto).finish();
    const out = await runOnnxImages('onnxruntime-node', changed, model.input, nhwc);
    expect(maxAbsDiff(out.data, expected)).toBeGreaterThan(1e-3);
    model.dispose();
  });
});
