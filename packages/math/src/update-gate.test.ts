import { describe, expect, it } from 'vitest';
import { MathNetwork } from './math-network';
import { Rng } from './rng';
import type { ModelSpec } from './spec';
import { convertUpdateGate } from './update-gate';

const founding: ModelSpec = {
  timeSteps: 6,
  features: 4,
  classes: 3,
  layers: [
    { cell: 'gru', units: 5, resetAfter: true, updateGate: 'takesNew', bidirectional: true },
    { cell: 'gru', units: 4, updateGate: 'takesNew', recurrentActivation: 'hardSigmoidKeras3' },
  ],
};

function data(batch: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(seed);
  return {
    x: Float32Array.from({ length: batch * 24 }, () => rng.uniform(-1, 1)),
    y: Int32Array.from({ length: batch }, () => rng.int(3)),
  };
}

const maxDiff = (a: ArrayLike<number>, b: ArrayLike<number>): number => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

describe('convertUpdateGate', () => {
  it('founding form → Keras form gives the same outputs and traces (z ↦ 1 − z), and converts back exactly', async () => {
    const net = new MathNetwork(founding, { seed: 4 });
    const { spec, weights } = convertUpdateGate(founding, net.getWeights(), 'keepsOld');
    expect(spec.layers.map((l) => l.updateGate)).toEqual([undefined, undefined]);
    const keras = new MathNetwork(spec, { seed: 0 });
    keras.setWeights(weights);
    const { x } = data(7, 1);
    expect(maxDiff(await keras.predict(x, 7), await net.predict(x, 7))).toBeLessThan(1e-6);
    const [tf, tk] = [await net.trace(x.subarray(0, 24)), await keras.trace(x.subarray(0, 24))];
    tf.layers.forEach((l, i) => {
      expect(maxDiff(l.h, tk.layers[i]!.h)).toBeLessThan(1e-6);
      const oneMinus = tk.layers[i]!.gates.z!.map((z) => 1 - z);
      expect(maxDiff(l.gates.z!, oneMinus)).toBeLessThan(1e-6);
    });
    // Only the z block moved: the first u columns of every GRU tensor, negated.
    const w0 = net.getWeights().find((w) => w.name === 'bidirectional/forward_gru/bias')!;
    const w1 = weights.find((w) => w.name === 'bidirectional/forward_gru/bias')!;
    expect(Array.from(w1.values.subarray(0, 5))).toEqual(Array.from(w0.values.subarray(0, 5), (v) => -v));
    expect(Array.from(w1.values.subarray(5, 15))).toEqual(Array.from(w0.values.subarray(5, 15)));
    expect(Array.from(w1.values.subarray(15, 20))).toEqual(Array.from(w0.values.subarray(15, 20), (v) => -v));
    const back = convertUpdateGate(spec, weights, 'takesNew');
    expect(back.spec).toEqual(founding);
    back.weights.forEach((w, i) => {
      expect(Array.from(w.values)).toEqual(Array.from(net.getWeights()[i]!.values));
    });
  });

  it('training the founding form is training the Keras form on converted weights', async () => {
    const opts = { seed: 9, optimizer: { type: 'adam' as const, learningRate: 0.01 } };
    const net = new MathNetwork(founding, opts);
    const start = convertUpdateGate(founding, net.getWeights(), 'keepsOld');
    const keras = new MathNetwork(start.spec, opts);
    keras.setWeights(start.weights);
    for (let step = 0; step < 5; step++) {
      const { x, y } = data(8, 10 + step);
      const [a, b] = [await net.trainBatch(x, y, 8), await keras.trainBatch(x, y, 8)];
      expect(Math.abs(a.loss - b.loss)).toBeLessThan(1e-5);
    }
    const trained = convertUpdateGate(founding, net.getWeights(), 'keepsOld').weights;
    const moved = maxDiff(trained[0]!.values, start.weights[0]!.values);
    expect(moved).toBeGreaterThan(1e-3);
    keras.getWeights().forEach((w, i) => {
      expect(maxDiff(w.values, trained[i]!.values), w.name).toBeLessThan(1e-5);
    });
  });

  it('refuses weights of another spec', () => {
    expect(() =>
      convertUpdateGate(
        founding,
        [{ name: 'gru_9/kernel', shape: [1], values: new Float32Array(1) }],
        'keepsOld',
      ),
    ).toThrow(/gru_9\/kernel/);
  });
});
