import { describe, expect, it } from 'vitest';
import { expectInteropError } from './__fixtures__/expect-interop-error';
import { TORCH_CASES, torchFixture } from './__fixtures__/torch-cases';
import { readSafetensors, writeSafetensors } from './safetensors';
import type { Combination } from './test-models';
import { interopModelOf, randomClassifier, roundTripGap, torchCaseGap } from './test-models';
import { modelFromSafetensors, modelToSafetensors, torchStateDict } from './torch-weights';

const TORCH_SHAPED: Combination[] = [
  {
    name: 'gru reset-after, rows',
    layers: [{ cell: 'gru', units: 6, resetAfter: true }],
    view: { mode: 'rows' },
  },
  {
    name: 'gru 2 layers bidirectional, permuted columns',
    layers: [
      { cell: 'gru', units: 5, resetAfter: true, bidirectional: true },
      { cell: 'gru', units: 5, resetAfter: true, bidirectional: true },
    ],
    view: { mode: 'columns', permutationSeed: 2, normalize: { mean: 0.2, std: 0.3 } },
  },
  {
    name: 'lstm 2 layers, patches',
    layers: [
      { cell: 'lstm', units: 4 },
      { cell: 'lstm', units: 4 },
    ],
    view: { mode: 'patches', patchSize: 2 },
    width: 8,
  },
  {
    name: 'simpleRnn bidirectional, pixels',
    layers: [{ cell: 'simpleRnn', units: 5, bidirectional: true }],
    view: { mode: 'pixels' },
    height: 4,
    width: 3,
  },
];

describe('modelToSafetensors / modelFromSafetensors', () => {
  for (const combination of TORCH_SHAPED) {
    it(`${combination.name}: round-trips spec, view, classes and predictions`, async () => {
      const original = await randomClassifier(combination, 4);
      const exported = interopModelOf(original);
      const imported = modelFromSafetensors(modelToSafetensors(exported));
      expect(imported.spec).toEqual(exported.spec);
      expect(imported.view).toEqual(exported.view);
      expect(imported.classNames).toEqual(exported.classNames);
      expect(await roundTripGap(original, imported, 5)).toBeLessThan(1e-6);
      original.dispose();
    });
  }

  it('writes PyTorch names, shapes and the gruvision metadata', async () => {
    const model = await randomClassifier(TORCH_SHAPED[1]!);
    const file = readSafetensors(modelToSafetensors(interopModelOf(model)));
    const shapes = Object.fromEntries(file.tensors.map((t) => [t.name, t.shape]));
    expect(shapes).toEqual({
      'rnn.weight_ih_l0': [15, 8],
      'rnn.weight_hh_l0': [15, 5],
      'rnn.bias_ih_l0': [15],
      'rnn.bias_hh_l0': [15],
      'rnn.weight_ih_l0_reverse': [15, 8],
      'rnn.weight_hh_l0_reverse': [15, 5],
      'rnn.bias_ih_l0_reverse': [15],
      'rnn.bias_hh_l0_reverse': [15],
      'rnn.weight_ih_l1': [15, 10],
      'rnn.weight_hh_l1': [15, 5],
      'rnn.bias_ih_l1': [15],
      'rnn.bias_hh_l1': [15],
      'rnn.weight_ih_l1_reverse': [15, 10],
      'rnn.weight_hh_l1_reverse': [15, 5],
      'rnn.bias_ih_l1_reverse': [15],
      'rnn.bias_hh_l1_reverse': [15],
      'head.weight': [4, 10],
      'head.bias': [4],
    });
    expect(file.metadata.format).toBe('pt');
    const meta = JSON.parse(file.metadata.gruvision!);
    expect(meta.spec).toEqual(model.spec);
    expect(meta.view).toEqual(model.view);
    expect(meta.classNames).toEqual(model.classNames);
    // GRU gate order r|z|n: the first block of weight_ih is Keras' second (r) column block, transposed.
    const keras = model.getWeights().find((w) => w.name === 'bidirectional/forward_gru/kernel')!.values;
    const wih = file.tensors.find((t) => t.name === 'rnn.weight_ih_l0')!.values;
    expect(wih[0 * 8 + 3]).toBe(keras[3 * 15 + 5 + 0]); // r unit 0, input 3
    expect(wih[5 * 8 + 3]).toBe(keras[3 * 15 + 0 + 0]); // z unit 0
    expect(wih[10 * 8 + 3]).toBe(keras[3 * 15 + 10 + 0]); // n unit 0
    model.dispose();
  });

  it('refuses specs one PyTorch module cannot express, saying why and what to do', async () => {
    const refuse = async (combination: Combination, message: RegExp) => {
      const model = await randomClassifier(combination);
      expectInteropError(
        () => torchStateDict(interopModelOf(model), 'm.safetensors'),
        'UNSUPPORTED_MODEL',
        message,
      );
      model.dispose();
    };
    const view = { mode: 'rows' } as const;
    await refuse(
      { name: '', layers: [{ cell: 'gru', units: 4 }], view },
      /m\.safetensors: cannot be written as one nn\.GRU: .*reset-before GRU.*--reset-after/,
    );
    await refuse(
      { name: '', layers: [{ cell: 'lstm', units: 4, recurrentActivation: 'hardSigmoid' }], view },
      /hardSigmoid gates.*export to ONNX/,
    );
    await refuse(
      { name: '', layers: [{ cell: 'gru', units: 4, resetAfter: true, goBackwards: true }], view },
      /goBackwards/,
    );
    await refuse(
      {
        name: '',
        layers: [
          { cell: 'lstm', units: 4 },
          { cell: 'gru', units: 4, resetAfter: true },
        ],
        view,
      },
      /one cell type/,
    );
    await refuse(
      {
        name: '',
        layers: [
          { cell: 'lstm', units: 4 },
          { cell: 'lstm', units: 5 },
        ],
        view,
      },
      /5 units after 4.*same units/,
    );
    await refuse(
      { name: '', layers: [{ cell: 'mingru', units: 4 }], view },
      /mingru; PyTorch has no built-in module/,
    );
  });
});

describe('modelFromSafetensors: PyTorch state dicts (scripts/make-torch-fixtures.py)', () => {
  for (const c of TORCH_CASES) {
    it(`${c.name}: predicts PyTorch's probabilities within 1e-5`, async () => {
      const bytes = torchFixture(`${c.name}.safetensors`);
      const imported = modelFromSafetensors(bytes, { file: `${c.name}.safetensors`, input: c.input });
      expect(imported.spec.layers).toHaveLength(c.layers);
      expect(await torchCaseGap(imported, c)).toBeLessThan(1e-5);
    });
  }

  it('without --input reads square images of the first layer width', () => {
    const bytes = torchFixture('gru-1.safetensors');
    const imported = modelFromSafetensors(bytes);
    expect(imported.input).toEqual({ height: 5, width: 5, channels: 1 });
    expect(imported.spec.timeSteps).toBe(5);
  });
});

describe('modelFromSafetensors: bad input', () => {
  const good = () => torchFixture('lstm-2.safetensors');
  const tensors = () => readSafetensors(good()).tensors;

  it('truncated, too short, a header past the end, trailing bytes, over the size limit', () => {
    const bytes = good();
    expectInteropError(
      () => modelFromSafetensors(bytes.subarray(0, bytes.length - 4), { file: 'cut.safetensors' }),
      'INVALID_FILE',
      /cut\.safetensors: tensor .* ends at byte \d+ of a \d+-byte data section; the file is truncated/,
    );
    expectInteropError(
      () => modelFromSafetensors(bytes.subarray(0, 5), { file: 'tiny.safetensors' }),
      'INVALID_FILE',
      /tiny\.safetensors: is 5 bytes, too short/,
    );
    expectInteropError(
      () => modelFromSafetensors(bytes.subarray(0, 40), { file: 'h.safetensors' }),
      'INVALID_FILE',
      /h\.safetensors: declares a \d+-byte header but holds only 32/,
    );
    const longer = new Uint8Array(bytes.length + 16);
    longer.set(bytes);
    expectInteropError(
      () => modelFromSafetensors(longer, { file: 'long.safetensors' }),
      'INVALID_FILE',
      /long\.safetensors: holds 16 bytes after its last tensor/,
    );
    expectInteropError(
      () => modelFromSafetensors(bytes, { file: 'big.safetensors', maxBytes: 100 }),
      'TOO_LARGE',
      /more than the 100 allowed/,
    );
    const huge = new Uint8Array(16);
    new DataView(huge.buffer).setBigUint64(0, 2n ** 40n, true);
    expectInteropError(
      () => modelFromSafetensors(huge, { file: 'huge.safetensors' }),
      'TOO_LARGE',
      /header, more than/,
    );
  });

  it('unknown tensor names, missing tensors, wrong shapes, NaN and non-float32 dtypes', () => {
    const t = tensors();
    const rename = t.map((x) => (x.name === 'linear.bias' ? { ...x, name: 'decoder.bias' } : x));
    expectInteropError(
      () => modelFromSafetensors(writeSafetensors(rename), { file: 'n.safetensors' }),
      'UNKNOWN_TENSOR',
      /n\.safetensors: tensor "decoder\.bias" is not part of a gruvision model/,
    );
    const missing = t.filter((x) => x.name !== 'rnn.weight_hh_l1');
    expectInteropError(
      () => modelFromSafetensors(writeSafetensors(missing)),
      'UNKNOWN_TENSOR',
      /missing weight_hh_l1/,
    );
    const wrong = t.map((x) => (x.name === 'linear.weight' ? { ...x, shape: [5, 3] } : x));
    expectInteropError(
      () => modelFromSafetensors(writeSafetensors(wrong)),
      'SHAPE_MISMATCH',
      /head\.weight has shape \[5, 3\], expected \[classes, 5\]/,
    );
    const nan = t.map((x) =>
      x.name === 'rnn.bias_ih_l0' ? { ...x, values: x.values.map((v, i) => (i === 7 ? Number.NaN : v)) } : x,
    );
    expectInteropError(
      () => modelFromSafetensors(writeSafetensors(nan), { file: 'nan.safetensors' }),
      'NON_FINITE',
      /nan\.safetensors: tensor rnn\.bias_ih_l0 holds NaN at index 7/,
    );
    const f16 = new TextEncoder().encode(
      JSON.stringify({ 'rnn.weight_ih_l0': { dtype: 'F16', shape: [2], data_offsets: [0, 4] } }).padEnd(
        64,
        ' ',
      ),
    );
    const file = new Uint8Array(8 + f16.length + 4);
    new DataView(file.buffer).setBigUint64(0, BigInt(f16.length), true);
    file.set(f16, 8);
    expectInteropError(
      () => modelFromSafetensors(file, { file: 'half.safetensors' }),
      'SHAPE_MISMATCH',
      /rnn\.weight_ih_l0 is F16; gruvision reads float32/,
    );
  });
});
