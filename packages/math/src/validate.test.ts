import { describe, expect, it } from 'vitest';
import { GruMathError } from './errors';
import { recurrentLayerForward } from './layer-forward';
import { mathEngine } from './math-network';
import type { ModelSpec } from './spec';

const spec: ModelSpec = { timeSteps: 3, features: 2, classes: 3, layers: [{ cell: 'gru', units: 4 }] };

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return GruMathError.isInstance(error) ? error.code : 'not a GruMathError';
  }
  return undefined;
}

describe('bad input is refused with a message naming the tensor, the expected and the given shape', () => {
  it('x with the wrong size', async () => {
    const net = await mathEngine.create(spec, { seed: 1 });
    await expect(net.predict(new Float32Array(10), 2)).rejects.toThrow(
      'x has 10 values but shape [batch=2, timeSteps=3, features=2] needs 12. Pass x as a row-major buffer of shape [2, 3, 2].',
    );
    await expect(net.trainBatch(new Float32Array(13), Int32Array.of(0, 1), 2)).rejects.toThrow(
      /x has 13 values/,
    );
    await expect(net.trace(new Float32Array(12))).rejects.toThrow(
      'x has 12 values but shape [timeSteps=3, features=2] needs 6.',
    );
  });

  it('x that is not a Float32Array', async () => {
    const net = await mathEngine.create(spec, { seed: 1 });
    await expect(net.predict([1, 2, 3] as unknown as Float32Array, 1)).rejects.toThrow(
      'x must be a Float32Array of shape [batch=1, timeSteps=3, features=2] (6 values), got an Array.',
    );
  });

  it('labels of the wrong length or out of range', async () => {
    const net = await mathEngine.create(spec, { seed: 1 });
    await expect(net.trainBatch(new Float32Array(12), Int32Array.of(0), 2)).rejects.toThrow(
      'y has 1 labels but shape [batch=2] needs 2. Pass one class index per sample.',
    );
    await expect(net.trainBatch(new Float32Array(12), Int32Array.of(0, 3), 2)).rejects.toThrow(
      'y[1] is 3 but the model has 3 classes, so labels must be integers in [0, 2].',
    );
  });

  it('NaN and Infinity in inputs', async () => {
    const net = await mathEngine.create(spec, { seed: 1 });
    const x = new Float32Array(12);
    x[7] = Number.NaN;
    await expect(net.predict(x, 2)).rejects.toThrow(
      'x of shape [2, 3, 2] contains NaN at index [1, 0, 1]. Replace NaN and Infinity values',
    );
    x[7] = 0;
    x[2] = Number.POSITIVE_INFINITY;
    await expect(net.trainBatch(x, Int32Array.of(0, 1), 2)).rejects.toThrow(
      'x of shape [2, 3, 2] contains Infinity at index [0, 1, 0].',
    );
  });

  it('weights with a wrong name, a missing entry, a wrong shape or size, or non-finite values', async () => {
    const net = await mathEngine.create(spec, { seed: 1 });
    const good = net.getWeights();
    const renamed = good.map((w, i) => (i === 0 ? { ...w, name: 'gru/kernal' } : w));
    expect(() => net.setWeights(renamed)).toThrow(
      'Unknown weight "gru/kernal". This model\'s weights are: gru/kernel, gru/recurrent_kernel, gru/bias, dense/kernel, dense/bias.',
    );
    expect(codeOf(() => net.setWeights(renamed))).toBe('UNKNOWN_WEIGHT');
    expect(() => net.setWeights(good.slice(1))).toThrow('Missing weight "gru/kernel" (shape [2, 12]).');
    expect(codeOf(() => net.setWeights(good.slice(1)))).toBe('MISSING_WEIGHT');
    const reshaped = good.map((w, i) => (i === 1 ? { ...w, shape: [4, 8] } : w));
    expect(() => net.setWeights(reshaped)).toThrow(
      'Weight "gru/recurrent_kernel" has shape [4, 8] but the model expects [4, 12].',
    );
    const resized = good.map((w, i) => (i === 2 ? { ...w, values: new Float32Array(11) } : w));
    expect(() => net.setWeights(resized)).toThrow('Weight "gru/bias" has 11 values but shape [12] needs 12.');
    expect(codeOf(() => net.setWeights(resized))).toBe('SHAPE_MISMATCH');
    const bad = good.map((w, i) =>
      i === 3 ? { ...w, values: Float32Array.from(w.values, (v, j) => (j === 5 ? Number.NaN : v)) } : w,
    );
    expect(() => net.setWeights(bad)).toThrow(
      'Weight "dense/kernel" of shape [4, 3] contains NaN at index [1, 2].',
    );
    expect(codeOf(() => net.setWeights(bad))).toBe('NON_FINITE');
    expect(() => net.setWeights([{ name: 'gru/kernel' } as never])).toThrow(
      'Every weight must be an object { name: string, shape: number[], values: Float32Array }',
    );
    // A refused setWeights leaves the network unchanged.
    expect(net.getWeights().map((w) => Array.from(w.values))).toEqual(good.map((w) => Array.from(w.values)));
  });

  it('resetAfter weights on a resetAfter=false spec are refused by shape', async () => {
    const after = await mathEngine.create(
      { ...spec, layers: [{ cell: 'gru', units: 4, resetAfter: true }] },
      { seed: 1 },
    );
    const net = await mathEngine.create(spec, { seed: 1 });
    expect(() => net.setWeights(after.getWeights())).toThrow(
      'Weight "gru/bias" has shape [2, 12] but the model expects [12].',
    );
  });

  it('bad batch sizes and options', async () => {
    const net = await mathEngine.create(spec, { seed: 1 });
    await expect(net.predict(new Float32Array(0), 0)).rejects.toThrow(
      'batch must be a positive integer, got 0.',
    );
    await expect(mathEngine.create(spec, { seed: 1, clipNorm: -1 })).rejects.toThrow(
      'options.clipNorm must be a positive number, got -1.',
    );
    await expect(
      mathEngine.create(spec, { seed: 1, optimizer: { type: 'adam', learningRate: Number.NaN } }),
    ).rejects.toThrow('optimizer.learningRate must be a positive finite number, got NaN.');
    expect(() => net.setLearningRate(0)).toThrow('learningRate must be a positive finite number, got 0.');
  });

  it('recurrentLayerForward checks every weight and the initial state', () => {
    const x = new Float32Array(2 * 3 * 2);
    const w = {
      kernel: new Float32Array(2 * 12),
      recurrentKernel: new Float32Array(4 * 12),
      bias: new Float32Array(12),
    };
    expect(() =>
      recurrentLayerForward(x, 2, 3, { ...w, kernel: new Float32Array(20) }, { cell: 'gru', units: 4 }),
    ).toThrow('kernel has 20 values but shape [inputSize=2, 3·units=12] needs 24.');
    expect(() => recurrentLayerForward(x, 2, 3, w, { cell: 'gru', units: 4, resetAfter: true })).toThrow(
      'bias has 12 values but shape [inputAndRecurrent=2, 3·units=12] needs 24.',
    );
    expect(() =>
      recurrentLayerForward(x, 2, 3, w, { cell: 'gru', units: 4, initialState: new Float32Array(4) }),
    ).toThrow('initialState has 4 values but shape [batch=2, units=4] needs 8.');
    const nan = Float32Array.from(w.recurrentKernel);
    nan[13] = Number.NaN;
    expect(() =>
      recurrentLayerForward(x, 2, 3, { ...w, recurrentKernel: nan }, { cell: 'gru', units: 4 }),
    ).toThrow('recurrentKernel of shape [4, 12] contains NaN at index [1, 1].');
  });
});
