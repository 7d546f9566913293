import { describe, expect, it } from 'vitest';
import { expectInteropError } from './__fixtures__/expect-interop-error';
import { modelToOnnx } from './onnx-export';
import { modelFromOnnx } from './onnx-import';
import { modelFromOnnxScan, onnxHasScan } from './onnx-min-import';
import { onnx } from './onnx-proto';
import { MIN_COMBINATIONS } from './test-min-models';
import { COMBINATIONS, interopModelOf, maxAbsDiff, randomClassifier, roundTripGap } from './test-models';

const allMinimal = MIN_COMBINATIONS.filter((c) =>
  c.layers.every((l) => l.cell === 'mingru' || l.cell === 'minlstm'),
);

describe('modelFromOnnxScan', () => {
  for (const combination of allMinimal) {
    it(`${combination.name}: export → import gives the same spec, view, weights and predictions`, async () => {
      const model = await randomClassifier(combination);
      const original = interopModelOf(model);
      const bytes = modelToOnnx(original);
      expect(onnxHasScan(bytes)).toBe(true);
      const back = modelFromOnnxScan(bytes, { file: 'm.onnx' });
      expect(back.spec).toEqual(original.spec);
      expect(back.view).toEqual(original.view);
      expect(back.input).toEqual(original.input);
      expect(back.classNames).toEqual(original.classNames);
      expect(back.weights.map((w) => w.name)).toEqual(original.weights.map((w) => w.name));
      back.weights.forEach((w, i) => {
        expect([...w.shape]).toEqual([...original.weights[i]!.shape]);
        expect(maxAbsDiff(w.values, original.weights[i]!.values)).toBe(0);
      });
      expect(await roundTripGap(model, back, 3)).toBe(0);
      model.dispose();
    });
  }

  it('modelFromOnnx hands a Scan file to modelFromOnnxScan: the same model comes back', async () => {
    const model = await randomClassifier(allMinimal[0]!);
    const original = interopModelOf(model);
    const bytes = modelToOnnx(original);
    const back = modelFromOnnx(bytes, { file: 'm.onnx' });
    expect(back.spec).toEqual(original.spec);
    back.weights.forEach((w, i) => {
      expect(maxAbsDiff(w.values, original.weights[i]!.values)).toBe(0);
    });
    model.dispose();
  });

  it('a GRU file has no Scan; modelFromOnnx reads it as before', async () => {
    const model = await randomClassifier(COMBINATIONS[0]!);
    const bytes = modelToOnnx(interopModelOf(model));
    expect(onnxHasScan(bytes)).toBe(false);
    expect(modelFromOnnx(bytes).spec.layers[0]!.cell).toBe('gru');
    model.dispose();
  });

  it('refuses an edited Scan body, a file without metadata and a model mixing GRU and minGRU, naming the file', async () => {
    const model = await randomClassifier(allMinimal[2]!);
    const bytes = modelToOnnx(interopModelOf(model));

    const edited = onnx.ModelProto.decode(bytes);
    const scan = edited.graph!.node!.find((n) => n.opType === 'Scan')!;
    scan.attribute!.find((a) => a.name === 'body')!.g!.node![1]!.opType = 'Sub';
    const editedBytes = onnx.ModelProto.encode(edited).finish();
    expectInteropError(
      () => modelFromOnnxScan(editedBytes, { file: 'e.onnx' }),
      'UNSUPPORTED_OP',
      /e\.onnx: is not the graph gruvision writes .*node #\d+ \(Scan "layer0_d0_final_Scan"\) has other/,
    );

    const weight = onnx.ModelProto.decode(bytes);
    const kernel = weight.graph!.initializer!.find((t) => t.name === 'layer0_d1_kernel')!;
    kernel.rawData = Uint8Array.from(kernel.rawData!, (v, i) => (i === 0 ? v ^ 1 : v));
    // A changed weight is read as it is (the weights are the file's, not checked against anything).
    const changed = modelFromOnnxScan(onnx.ModelProto.encode(weight).finish(), { file: 'w.onnx' });
    const name = 'bidirectional/backward_min_gru/kernel';
    const before = interopModelOf(model).weights.find((w) => w.name === name)!.values[0]!;
    const after = changed.weights.find((w) => w.name === name)!.values[0]!;
    expect(after).not.toBe(before);
    expect(Math.abs(after - before)).toBeLessThan(Math.abs(before) * 1e-6);

    const bare = onnx.ModelProto.decode(bytes);
    bare.metadataProps = [];
    expect(() => modelFromOnnxScan(onnx.ModelProto.encode(bare).finish(), { file: 'b.onnx' })).toThrow(
      /b\.onnx: holds Scan nodes but no "gruvision" metadata/,
    );

    const mixed = await randomClassifier(MIN_COMBINATIONS.find((c) => !allMinimal.includes(c))!);
    const mixedBytes = modelToOnnx(interopModelOf(mixed));
    expectInteropError(
      () => modelFromOnnxScan(mixedBytes, { file: 'x.onnx' }),
      'UNSUPPORTED_MODEL',
      /x\.onnx: layer 0 is a gru/,
    );
    mixed.dispose();
    model.dispose();
  });
});
