import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GruMathError } from './errors';
import { initializeWeights } from './initializers';
import { MathNetwork, mathEngine } from './math-network';
import { Rng } from './rng';
import type { ModelSpec } from './spec';
import { activeKernels, setKernels } from './wasm/runtime';

const spec: ModelSpec = {
  timeSteps: 6,
  features: 5,
  classes: 4,
  headDropout: 0.2,
  layers: [
    { cell: 'gru', units: 8, dropout: 0.1, recurrentDropout: 0.1 },
    { cell: 'lstm', units: 6, bidirectional: true },
  ],
};

function data(seed: number, batch: number): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: batch * spec.timeSteps * spec.features }, () => rng.uniform(-1, 1));
  const y = Int32Array.from({ length: batch }, () => rng.int(spec.classes));
  return { x, y };
}

async function train(seed: number): Promise<Uint8Array> {
  const net = await mathEngine.create(spec, { seed, clipNorm: 1, l2: 1e-4, labelSmoothing: 0.1 });
  for (let i = 0; i < 4; i++) {
    const { x, y } = data(100 + i, 7);
    await net.trainBatch(x, y, 7);
  }
  const bytes = net.getWeights().flatMap((w) => Array.from(new Uint8Array(w.values.buffer.slice(0))));
  return Uint8Array.from(bytes);
}

// One suite for both kernel paths: the TypeScript GEMM and the WebAssembly SIMD GEMM.
for (const kernels of ['js', 'wasm'] as const) {
  describe(`mathEngine (${kernels} kernels)`, () => {
    beforeAll(() => {
      setKernels(kernels);
    });
    afterAll(() => {
      setKernels('auto');
    });

    it('runs on the chosen kernels', () => {
      expect(activeKernels()).toBe(kernels);
    });

    it("is named 'math' and creates MathNetworks", async () => {
      expect(mathEngine.name).toBe('math');
      expect(await mathEngine.create(spec, { seed: 1 })).toBeInstanceOf(MathNetwork);
    });

    it('trains deterministically: one seed gives identical bytes, another seed differs', async () => {
      const a = await train(7);
      const b = await train(7);
      const c = await train(8);
      expect(Buffer.from(a).equals(Buffer.from(b))).toBe(true);
      expect(Buffer.from(a).equals(Buffer.from(c))).toBe(false);
    });

    it('starts from initializeWeights(spec, seed) and round-trips weights', async () => {
      const net = await mathEngine.create(spec, { seed: 3 });
      const init = initializeWeights(spec, 3);
      expect(net.getWeights().map((w) => w.name)).toEqual(init.map((w) => w.name));
      net.getWeights().forEach((w, i) => {
        expect(Array.from(w.values)).toEqual(Array.from(init[i]!.values));
      });
      const other = await mathEngine.create(spec, { seed: 4 });
      other.setWeights(net.getWeights());
      const { x } = data(1, 3);
      expect(Array.from(await other.predict(x, 3))).toEqual(Array.from(await net.predict(x, 3)));
    });

    it('predicts probabilities that sum to 1, the same in one call as in chunks', async () => {
      const net = await mathEngine.create({ ...spec, headDropout: 0 }, { seed: 2 });
      const { x } = data(5, 300);
      const p = await net.predict(x, 300);
      expect(p.length).toBe(300 * 4);
      for (let b = 0; b < 300; b++)
        expect(p[b * 4]! + p[b * 4 + 1]! + p[b * 4 + 2]! + p[b * 4 + 3]!).toBeCloseTo(1, 5);
      const first = await net.predict(x.subarray(0, 2 * 30), 2);
      for (let i = 0; i < 8; i++) expect(first[i]).toBeCloseTo(p[i]!, 6);
    });

    it('lowers the loss on a fixed batch', async () => {
      const net = await mathEngine.create(spec, { seed: 9, optimizer: { type: 'adam', learningRate: 0.01 } });
      const { x, y } = data(3, 16);
      const first = (await net.trainBatch(x, y, 16)).loss;
      let last = first;
      for (let i = 0; i < 30; i++) last = (await net.trainBatch(x, y, 16)).loss;
      expect(last).toBeLessThan(first * 0.5);
    });

    it('traces gates and states per step for every layer and direction', async () => {
      const net = await mathEngine.create(spec, { seed: 1 });
      const { x } = data(2, 1);
      const trace = await net.trace(x);
      expect(trace.timeSteps).toBe(6);
      expect(trace.layers.map((l) => `${l.layer}:${l.cell}:${l.direction}`)).toEqual([
        'gru:gru:forward',
        'bidirectional:lstm:forward',
        'bidirectional:lstm:backward',
      ]);
      expect(Object.keys(trace.layers[0]!.gates).sort()).toEqual(['hCandidate', 'r', 'z']);
      expect(Object.keys(trace.layers[1]!.gates).sort()).toEqual(['c', 'f', 'i', 'o']);
      expect(trace.layers[0]!.h.length).toBe(6 * 8);
      expect(trace.layers[0]!.gates.z!.every((v) => v > 0 && v < 1)).toBe(true);
      expect(trace.stepProbabilities.length).toBe(6 * 4);
      const probs = await net.predict(x, 1);
      for (let c = 0; c < 4; c++) expect(trace.probabilities[c]).toBeCloseTo(probs[c]!, 6);
      // Unidirectional last layer: the head's output after the last step is the prediction.
      const uni = await mathEngine.create({ ...spec, layers: [{ cell: 'gru', units: 8 }] }, { seed: 1 });
      const t2 = await uni.trace(x);
      const p2 = await uni.predict(x, 1);
      for (let c = 0; c < 4; c++) expect(t2.stepProbabilities[5 * 4 + c]).toBeCloseTo(p2[c]!, 6);
      // The GRU's last traced state is the state that feeds the head.
      expect(t2.layers[0]!.h.length).toBe(48);
    });

    it('saves and restores the optimizer state so training resumes identically', async () => {
      const a = await mathEngine.create(spec, { seed: 5 });
      const { x, y } = data(4, 5);
      await a.trainBatch(x, y, 5);
      const b = await mathEngine.create(spec, { seed: 6 });
      b.setWeights(a.getWeights());
      b.setOptimizerState(a.getOptimizerState());
      expect(b.getOptimizerState().step).toBe(1);
      expect(Object.keys(b.getOptimizerState().slots).sort()).toEqual(['m', 'v']);
      // Dropout masks differ between seeds, so compare without dropout.
      const plain = { ...spec, headDropout: 0, layers: [{ cell: 'gru' as const, units: 8 }] };
      const c = await mathEngine.create(plain, { seed: 5 });
      await c.trainBatch(x, y, 5);
      const d = await mathEngine.create(plain, { seed: 6 });
      d.setWeights(c.getWeights());
      d.setOptimizerState(c.getOptimizerState());
      await c.trainBatch(x, y, 5);
      await d.trainBatch(x, y, 5);
      expect(c.getWeights().map((w) => Array.from(w.values))).toEqual(
        d.getWeights().map((w) => Array.from(w.values)),
      );
    });

    it('setLearningRate changes the step size', async () => {
      const plain: ModelSpec = { timeSteps: 3, features: 2, classes: 2, layers: [{ cell: 'gru', units: 2 }] };
      const opt = { type: 'sgd', learningRate: 0.1 } as const;
      const a = (await mathEngine.create(plain, { seed: 1, optimizer: opt })) as MathNetwork;
      const b = (await mathEngine.create(plain, { seed: 1, optimizer: opt })) as MathNetwork;
      b.setLearningRate(0.2);
      const x = Float32Array.of(1, 2, 3, 4, 5, 6);
      const y = Int32Array.of(1);
      const g = a.computeGradients(x, y, 1).gradients;
      const w0 = a.getWeights();
      await a.trainBatch(x, y, 1);
      await b.trainBatch(x, y, 1);
      const wa = a.getWeights();
      const wb = b.getWeights();
      for (let k = 0; k < w0.length; k++) {
        for (let i = 0; i < w0[k]!.values.length; i++) {
          expect(wa[k]!.values[i]).toBeCloseTo(w0[k]!.values[i]! - 0.1 * g[k]!.values[i]!, 6);
          expect(wb[k]!.values[i]).toBeCloseTo(w0[k]!.values[i]! - 0.2 * g[k]!.values[i]!, 6);
        }
      }
    });

    it('computeGradients returns named gradients without taking a step', async () => {
      const net = (await mathEngine.create(spec, { seed: 1 })) as MathNetwork;
      const { x, y } = data(8, 4);
      const before = net.getWeights();
      const { loss, gradients } = net.computeGradients(x, y, 4);
      expect(loss).toBeGreaterThan(0);
      expect(gradients.map((g) => g.name)).toEqual(before.map((w) => w.name));
      expect(gradients.map((g) => g.shape)).toEqual(before.map((w) => w.shape));
      expect(gradients.some((g) => g.values.some((v) => v !== 0))).toBe(true);
      expect(net.getWeights().map((w) => Array.from(w.values))).toEqual(
        before.map((w) => Array.from(w.values)),
      );
    });

    it('refuses to work after dispose', async () => {
      const net = await mathEngine.create(spec, { seed: 1 });
      net.dispose();
      expect(() => net.getWeights()).toThrow(GruMathError);
      expect(() => net.getWeights()).toThrow(/disposed/);
    });
  });
}
