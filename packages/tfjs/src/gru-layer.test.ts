import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { maxAbsDiff, randomInputs, referenceGru, testBackends } from './__fixtures__/test-utils';
import { initBackend } from './backends';
import { KerasGRU } from './gru-layer';

const B = 2;
const T = 5;
const I = 3;
const u = 4;

function uniform(n: number, seed: number): Float32Array {
  return randomInputs(n, seed).map((v) => v * 0.6);
}

describe.each(testBackends)('KerasGRU on %s', (backend) => {
  beforeAll(async () => {
    await initBackend(backend);
  });
  afterAll(() => {
    tf.disposeVariables();
  });

  for (const resetAfter of [false, true]) {
    it(`training with dropout and recurrent dropout (resetAfter ${resetAfter}) is Keras' GRU: z blends the unmasked state`, () => {
      const layer = new KerasGRU({
        units: u,
        resetAfter,
        dropout: 0.3,
        recurrentDropout: 0.4,
        returnSequences: true,
        kernelInitializer: 'zeros',
        recurrentInitializer: 'zeros',
      });
      layer.build([null, T, I]);
      const kernel = uniform(I * 3 * u, 11);
      const recurrentKernel = uniform(u * 3 * u, 12).map((v) => 3 * v);
      const bias = uniform((resetAfter ? 2 : 1) * 3 * u, 13);
      layer.setWeights([
        tf.tensor(kernel, [I, 3 * u]),
        tf.tensor(recurrentKernel, [u, 3 * u]),
        tf.tensor(bias, resetAfter ? [2, 3 * u] : [3 * u]),
      ]);
      const mask = (n: number, rate: number, seed: number) =>
        randomInputs(n, seed).map((v) => (v < 2 * rate - 1 ? 0 : 1 / (1 - rate)));
      const inputMask = mask(B * I, 0.3, 14);
      const recurrentMask = mask(B * u, 0.4, 15);
      expect(recurrentMask.some((v) => v === 0)).toBe(true);
      const seen: string[] = [];
      layer.cell.maskSource = (kind, shape, rate) => {
        seen.push(`${kind} ${shape.join('x')} ${rate}`);
        return tf.tensor2d(kind === 'input' ? inputMask : recurrentMask, shape);
      };
      const x = randomInputs(B * T * I, 16);
      const y = tf.tidy(() =>
        (layer.apply(tf.tensor3d(x, [B, T, I]), { training: true }) as tf.Tensor).dataSync(),
      );
      expect(seen).toEqual([`input ${B}x${I} 0.3`, `recurrent ${B}x${u} 0.4`]);
      const w = { kernel, recurrentKernel, bias };
      const expected = referenceGru(x, { B, T, I, u }, w, { resetAfter, inputMask, recurrentMask });
      expect(maxAbsDiff(y, expected)).toBeLessThan(1e-5);
      // Inference ignores the masks.
      const plain = tf.tidy(() => (layer.apply(tf.tensor3d(x, [B, T, I])) as tf.Tensor).dataSync());
      expect(maxAbsDiff(plain, referenceGru(x, { B, T, I, u }, w, { resetAfter }))).toBeLessThan(1e-5);
      for (const v of layer.weights) v.dispose();
    });
  }

  for (const resetAfter of [true, false]) {
    for (const hard of [false, true]) {
      it(`matches the docs/ARCHITECTURE.md equations (resetAfter ${resetAfter}, ${hard ? 'hardSigmoid' : 'sigmoid'})`, () => {
        const layer = new KerasGRU({
          units: u,
          resetAfter,
          recurrentActivation: hard ? 'hardSigmoid' : 'sigmoid',
          returnSequences: true,
          kernelInitializer: 'zeros',
          recurrentInitializer: 'zeros',
        });
        layer.build([null, T, I]);
        const kernel = uniform(I * 3 * u, 1);
        const recurrentKernel = uniform(u * 3 * u, 2);
        const bias = uniform((resetAfter ? 2 : 1) * 3 * u, 3);
        expect(layer.getWeights().map((w) => w.shape)).toEqual([
          [I, 3 * u],
          [u, 3 * u],
          resetAfter ? [2, 3 * u] : [3 * u],
        ]);
        layer.setWeights([
          tf.tensor(kernel, [I, 3 * u]),
          tf.tensor(recurrentKernel, [u, 3 * u]),
          tf.tensor(bias, resetAfter ? [2, 3 * u] : [3 * u]),
        ]);
        const x = randomInputs(B * T * I, 4);
        const y = tf.tidy(() => (layer.apply(tf.tensor3d(x, [B, T, I])) as tf.Tensor).dataSync());
        const expected = referenceGru(
          x,
          { B, T, I, u },
          { kernel, recurrentKernel, bias },
          { resetAfter, hard },
        );
        expect(maxAbsDiff(y, expected)).toBeLessThan(1e-5);
        for (const w of layer.weights) w.dispose();
      });
    }
  }

  it('trains: tfjs autodiff gradients match central finite differences', () => {
    const layer = new KerasGRU({ units: u, resetAfter: true, kernelInitializer: 'glorotUniform' });
    layer.build([null, T, I]);
    const x = tf.tensor3d(randomInputs(B * T * I, 7), [B, T, I]);
    const loss = (): tf.Scalar => tf.sum(tf.square(layer.apply(x) as tf.Tensor)) as tf.Scalar;
    const bias = layer.cell.bias!;
    const { grads } = tf.variableGrads(loss, [bias.read() as tf.Variable]);
    const g = Object.values(grads)[0]!.dataSync();
    const values = bias.read().dataSync().slice();
    const eps = 1e-2;
    for (const idx of [0, 5, 3 * u + 1, 3 * u + 9]) {
      const probe = (delta: number): number => {
        const v = values.slice();
        v[idx]! += delta;
        bias.write(tf.tensor(v, [2, 3 * u]));
        return tf.tidy(() => loss().dataSync()[0]!);
      };
      const numeric = (probe(eps) - probe(-eps)) / (2 * eps);
      expect(Math.abs(numeric - g[idx]!)).toBeLessThan(2e-3 * Math.max(1, Math.abs(numeric)));
    }
    tf.dispose([x, ...Object.values(grads)]);
    for (const w of layer.weights) w.dispose();
  });

  it('applies dropout masks only when training, and frees them after the call', () => {
    const layer = new KerasGRU({ units: u, resetAfter: true, dropout: 0.5, recurrentDropout: 0.5 });
    const x = tf.tensor3d(randomInputs(B * T * I, 9), [B, T, I]);
    layer.apply(x); // builds
    const before = tf.memory().numTensors;
    const inference = tf.tidy(() => (layer.apply(x, { training: false }) as tf.Tensor).dataSync());
    const again = tf.tidy(() => (layer.apply(x) as tf.Tensor).dataSync());
    const training = tf.tidy(() => (layer.apply(x, { training: true }) as tf.Tensor).dataSync());
    expect(Array.from(again)).toEqual(Array.from(inference));
    expect(maxAbsDiff(training, inference)).toBeGreaterThan(1e-3);
    expect(layer.cell.dropoutMask).toBeNull();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
    for (const w of layer.weights) w.dispose();
  });

  it('serializes as class GRU with reset_after in its config', () => {
    const layer = new KerasGRU({ units: u, resetAfter: true, recurrentActivation: 'sigmoid', name: 'gru_x' });
    const config = layer.getConfig();
    expect(KerasGRU.className).toBe('GRU');
    expect(config).toMatchObject({
      name: 'gru_x',
      units: u,
      resetAfter: true,
      recurrentActivation: 'sigmoid',
    });
    expect(config).not.toHaveProperty('cell');
  });
});
