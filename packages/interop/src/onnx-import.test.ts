import { describe, expect, it } from 'vitest';
import { expectInteropError } from './__fixtures__/expect-interop-error';
import { TORCH_CASES, torchFixture } from './__fixtures__/torch-cases';
import { standardUpdateGate } from './model';
import { modelToOnnx } from './onnx-export';
import { modelFromOnnx } from './onnx-import';
import { onnx } from './onnx-proto';
import {
  COMBINATIONS,
  classifierOf,
  interopModelOf,
  maxAbsDiff,
  randomClassifier,
  roundTripGap,
  torchCaseGap,
  torchCaseImages,
} from './test-models';

describe('modelFromOnnx: PyTorch exports (scripts/make-torch-fixtures.py, torch.onnx.export opset 14)', () => {
  for (const c of TORCH_CASES) {
    it(`${c.name}: ${c.layers}-layer ${c.bidirectional ? 'bidirectional ' : ''}${c.cell}${c.softmax ? ' + softmax' : ''} predicts PyTorch's probabilities within 1e-5`, async () => {
      const bytes = torchFixture(`${c.name}.onnx`);
      const imported = modelFromOnnx(bytes, { file: `${c.name}.onnx` });
      expect(imported.input).toEqual({ ...c.input, channels: 1 });
      expect(imported.view).toEqual({ mode: 'rows' });
      expect(imported.preprocess).toBe('none');
      expect(imported.classNames).toEqual(['0', '1', '2']);
      expect(imported.spec.layers).toHaveLength(c.layers);
      expect(imported.spec.layers[0]!.cell).toBe(c.cell === 'rnn' ? 'simpleRnn' : c.cell);
      if (c.cell === 'gru') expect(imported.spec.layers[0]!.resetAfter).toBe(true);
      expect(await torchCaseGap(imported, c)).toBeLessThan(1e-5);
    });
  }
});

describe('modelFromOnnx: an imported PyTorch model explains itself', () => {
  it('gru-2-bi: explain() traces every layer and ends on the probabilities of predict()', async () => {
    const c = TORCH_CASES.find((x) => x.name === 'gru-2-bi')!;
    const model = await classifierOf(modelFromOnnx(torchFixture('gru-2-bi.onnx')));
    const image = torchCaseImages(c)[0]!;
    const explanation = await model.explain(image);
    expect(explanation.layers).toHaveLength(4); // 2 layers × 2 directions
    expect(explanation.steps).toHaveLength(c.input.height);
    expect(maxAbsDiff(explanation.prediction.probabilities, c.probabilities[0]!)).toBeLessThan(1e-5);
    model.dispose();
  });
});

describe('modelFromOnnx: gruvision exports round-trip', () => {
  for (const combination of COMBINATIONS) {
    it(`${combination.name}: same spec, view, classes and predictions`, async () => {
      const original = await randomClassifier(combination, 3);
      const exported = interopModelOf(original);
      const imported = modelFromOnnx(modelToOnnx(exported));
      // A founding-text GRU comes back in the standard form (ONNX knows only that one): z negated.
      expect(imported.spec).toEqual(standardUpdateGate(exported).spec);
      expect(imported.spec.layers.every((l) => l.updateGate !== 'takesNew')).toBe(true);
      expect(imported.view).toEqual(exported.view);
      expect(imported.input).toEqual(exported.input);
      expect(imported.classNames).toEqual(exported.classNames);
      expect(await roundTripGap(original, imported, 5)).toBeLessThan(1e-6);
      original.dispose();
    });
  }
});

describe('modelFromOnnx: bad input', () => {
  const gru = () => torchFixture('gru-2-bi.onnx');

  it('a truncated file, an empty one and one over the size limit', () => {
    const bytes = gru();
    expectInteropError(
      () => modelFromOnnx(bytes.subarray(0, bytes.length - 300), { file: 'cut.onnx' }),
      'INVALID_FILE',
      /^cut\.onnx: .*(truncated|no ONNX graph)/,
    );
    expectInteropError(
      () => modelFromOnnx(new Uint8Array(0), { file: 'empty.onnx' }),
      'INVALID_FILE',
      /empty\.onnx: is empty/,
    );
    expectInteropError(
      () => modelFromOnnx(bytes, { file: 'big.onnx', maxBytes: 1000 }),
      'TOO_LARGE',
      /big\.onnx: is \d+ bytes, more than the 1000 allowed/,
    );
    expectInteropError(
      () => modelFromOnnx(new TextEncoder().encode('{"not": "onnx"}'), { file: 'x.onnx' }),
      'INVALID_FILE',
      /x\.onnx/,
    );
  });

  it('an operator it cannot map, named with its node', () => {
    const proto = onnx.ModelProto.decode(gru());
    const nodes = proto.graph!.node!;
    const gemm = nodes.findIndex((n) => n.opType === 'Gemm');
    const gemmInput = nodes[gemm]!.input![0]!;
    nodes.splice(gemm, 0, { opType: 'Relu', name: 'extra_relu', input: [gemmInput], output: ['relu_out'] });
    nodes[gemm + 1]!.input![0] = 'relu_out';
    expectInteropError(
      () => modelFromOnnx(onnx.ModelProto.encode(proto).finish(), { file: 'relu.onnx' }),
      'UNSUPPORTED_OP',
      /relu\.onnx: node "extra_relu" \(Relu\) cannot be mapped/,
    );
  });

  it('a sequence reordered before a layer (a reversed input) without gruvision metadata', async () => {
    const model = await randomClassifier({
      name: '',
      layers: [{ cell: 'gru', units: 3, goBackwards: true }],
      view: { mode: 'rows' },
    });
    const proto = onnx.ModelProto.decode(modelToOnnx(interopModelOf(model)));
    proto.metadataProps = [];
    proto.graph!.node = proto.graph!.node!.filter((n) => !['Mul', 'Add'].includes(n.opType ?? ''));
    proto.graph!.node.find((n) => n.opType === 'Reshape')!.input![0] = 'flat';
    expectInteropError(
      () => modelFromOnnx(onnx.ModelProto.encode(proto).finish(), { file: 'rev.onnx' }),
      'UNSUPPORTED_OP',
      /rev\.onnx: node "layer0_reversed_Slice" \(Slice\) changes the sequence that node .*GRU.* reads/,
    );
    model.dispose();
  });

  it('NaN weights', () => {
    const proto = onnx.ModelProto.decode(gru());
    const w = proto.graph!.initializer!.find((t) => t.name === 'fc.weight')!;
    new DataView(w.rawData!.buffer, w.rawData!.byteOffset).setFloat32(8, Number.NaN, true);
    expectInteropError(
      () => modelFromOnnx(onnx.ModelProto.encode(proto).finish(), { file: 'nan.onnx' }),
      'NON_FINITE',
      /nan\.onnx: the weight \(B\) of node .*Gemm.* holds NaN at index 2/,
    );
  });

  it('a wrong input size and a wrong number of class names', () => {
    expectInteropError(
      () => modelFromOnnx(gru(), { file: 'g.onnx', input: { height: 7, width: 7 } }),
      'SHAPE_MISMATCH',
      /gives 7 features per step, but the first recurrent layer reads 5.*--input/,
    );
    expectInteropError(
      () => modelFromOnnx(gru(), { file: 'g.onnx', classNames: ['a', 'b'] }),
      'SHAPE_MISMATCH',
      /2 class names for 3 classes/,
    );
  });

  it("a head reading the first layer's state instead of the last layer's", () => {
    const proto = onnx.ModelProto.decode(gru());
    const nodes = proto.graph!.node!;
    const gather = nodes.find((n) => n.opType === 'Gather' && n.output![0] === '/Gather_output_0')!;
    const index = nodes.find((n) => n.output![0] === gather.input![1])!;
    index.attribute![0]!.t = { dims: [], dataType: 7, rawData: new Uint8Array(8) }; // h_n[0]: layer 0 forward
    expectInteropError(
      () => modelFromOnnx(onnx.ModelProto.encode(proto).finish(), { file: 'first.onnx' }),
      'UNSUPPORTED_OP',
      /first\.onnx: node .*Gemm.*: the dense head reads layer 0 forward \+ layer 1 backward\. gruvision reads the final state of the last layer/,
    );
  });

  it('a bidirectional head reading out[:, -1, :] instead of the final states', () => {
    const proto = onnx.ModelProto.decode(gru());
    const nodes = proto.graph!.node!;
    const grus = nodes.filter((n) => n.opType === 'GRU');
    const y = grus[1]!.output![0]!; // [T, 2, N, 6]
    const gemm = nodes.find((n) => n.opType === 'Gemm')!;
    proto.graph!.initializer!.push({
      name: 'last',
      dims: [],
      dataType: 7,
      rawData: new Uint8Array([255, 255, 255, 255, 255, 255, 255, 255]),
    });
    proto.graph!.initializer!.push({
      name: 'flat_shape',
      dims: [2],
      dataType: 7,
      rawData: new Uint8Array([0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255]),
    });
    nodes.splice(
      nodes.indexOf(gemm),
      0,
      {
        opType: 'Gather',
        name: 'last_step',
        input: [y, 'last'],
        output: ['y_last'],
        attribute: [{ name: 'axis', type: 2, i: 0 }],
      },
      {
        opType: 'Transpose',
        name: 't',
        input: ['y_last'],
        output: ['y_last_t'],
        attribute: [{ name: 'perm', type: 7, ints: [1, 0, 2] }],
      },
      { opType: 'Reshape', name: 'r', input: ['y_last_t', 'flat_shape'], output: ['y_flat'] },
    );
    gemm.input![0] = 'y_flat';
    expectInteropError(
      () => modelFromOnnx(onnx.ModelProto.encode(proto).finish(), { file: 'seq.onnx' }),
      'UNSUPPORTED_OP',
      /output sequence \(Y\) of the bidirectional/,
    );
  });
});
