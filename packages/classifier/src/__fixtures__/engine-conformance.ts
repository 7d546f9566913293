import type { Engine, ModelSpec, Network } from '@gruvision/math';
import { weightLayout } from '@gruvision/math';
import { describe, expect, it } from 'vitest';
import { randomWeights, referenceGruPredict } from './reference';

const specs: Record<string, ModelSpec> = {
  'GRU resetAfter false, sigmoid': {
    timeSteps: 5,
    features: 3,
    classes: 4,
    layers: [{ cell: 'gru', units: 6, resetAfter: false, recurrentActivation: 'sigmoid' }],
  },
  'GRU resetAfter true, hardSigmoid, two layers': {
    timeSteps: 4,
    features: 3,
    classes: 3,
    layers: [
      { cell: 'gru', units: 5, resetAfter: true, recurrentActivation: 'hardSigmoid' },
      { cell: 'gru', units: 4, resetAfter: true, recurrentActivation: 'sigmoid' },
    ],
  },
  'GRU resetAfter false then true, hardSigmoidKeras3 (x/6)': {
    timeSteps: 4,
    features: 3,
    classes: 3,
    layers: [
      { cell: 'gru', units: 5, resetAfter: false, recurrentActivation: 'hardSigmoidKeras3' },
      { cell: 'gru', units: 4, resetAfter: true, recurrentActivation: 'hardSigmoidKeras3' },
    ],
  },
};

const sequences = (spec: ModelSpec, batch: number) =>
  Float32Array.from({ length: batch * spec.timeSteps * spec.features }, (_, i) => Math.sin(1.7 * i + 0.3));

/**
 * The engine conformance suite: what `@gruvision/classifier` relies on from any `Engine`. Run once per
 * engine; predictions are compared with a Float64 reference GRU written from the equations in
 * docs/ARCHITECTURE.md (1e-4).
 */
export function describeEngineConformance(label: string, getEngine: () => Promise<Engine>): void {
  describe(`engine conformance: ${label}`, () => {
    for (const [name, spec] of Object.entries(specs)) {
      it(`${name}: canonical weights in, reference predictions and traces out`, async () => {
        const engine = await getEngine();
        const network = await engine.create(spec, { seed: 1 });
        const layout = weightLayout(spec).entries;
        expect(network.getWeights().map((w) => [w.name, [...w.shape]])).toEqual(
          layout.map((e) => [e.name, [...e.shape]]),
        );
        const weights = randomWeights(spec, 11);
        network.setWeights(weights);
        const got = network.getWeights();
        got.forEach((w, i) => {
          expect(Array.from(w.values)).toEqual(Array.from(weights[i]!.values));
        });
        const x = sequences(spec, 3);
        const probs = await network.predict(x, 3);
        expect(probs).toHaveLength(3 * spec.classes);
        const T = spec.timeSteps * spec.features;
        for (let b = 0; b < 3; b++) {
          const want = referenceGruPredict(spec, weights, x.subarray(b * T, (b + 1) * T));
          for (let c = 0; c < spec.classes; c++) {
            expect(Math.abs(probs[b * spec.classes + c]! - want[c]!)).toBeLessThan(1e-4);
          }
        }
        const trace = await network.trace(x.subarray(0, T));
        expect(trace.timeSteps).toBe(spec.timeSteps);
        expect(trace.layers).toHaveLength(spec.layers.length);
        trace.layers.forEach((layer, i) => {
          expect(layer.h).toHaveLength(spec.timeSteps * spec.layers[i]!.units);
          for (const gate of ['z', 'r', 'hCandidate']) {
            expect(layer.gates[gate], gate).toHaveLength(spec.timeSteps * spec.layers[i]!.units);
          }
        });
        expect(trace.stepProbabilities).toHaveLength(spec.timeSteps * spec.classes);
        const last = trace.stepProbabilities.subarray((spec.timeSteps - 1) * spec.classes);
        for (let c = 0; c < spec.classes; c++) {
          expect(Math.abs(last[c]! - probs[c]!)).toBeLessThan(1e-4);
          expect(Math.abs(trace.probabilities[c]! - probs[c]!)).toBeLessThan(1e-4);
        }
        network.dispose();
      });
    }

    it('trains: the loss of a repeated batch falls, correct counts stay in range', async () => {
      const spec = specs['GRU resetAfter false, sigmoid']!;
      const engine = await getEngine();
      const network = await engine.create(spec, { seed: 2, optimizer: { type: 'adam', learningRate: 0.05 } });
      const x = sequences(spec, 8);
      const y = Int32Array.from({ length: 8 }, (_, i) => i % spec.classes);
      const first = await network.trainBatch(x, y, 8);
      let last = first;
      for (let i = 0; i < 30; i++) last = await network.trainBatch(x, y, 8);
      expect(last.loss).toBeLessThan(first.loss * 0.5);
      expect(last.correct).toBeGreaterThanOrEqual(0);
      expect(last.correct).toBeLessThanOrEqual(8);
      network.dispose();
    });

    it('optimizer state round-trips; a tiny learning rate barely moves the weights', async () => {
      const spec = specs['GRU resetAfter false, sigmoid']!;
      const engine = await getEngine();
      const x = sequences(spec, 4);
      const y = Int32Array.from([0, 1, 2, 3]);
      const a = await engine.create(spec, { seed: 3 });
      await a.trainBatch(x, y, 4);
      await a.trainBatch(x, y, 4);
      const state = a.getOptimizerState();
      expect(state.step).toBe(2);
      const b = await engine.create(spec, { seed: 99 });
      b.setWeights(a.getWeights());
      b.setOptimizerState(state);
      const ra = await a.trainBatch(x, y, 4);
      const rb = await b.trainBatch(x, y, 4);
      expect(Math.abs(ra.loss - rb.loss)).toBeLessThan(1e-5);
      const wa = a.getWeights();
      b.getWeights().forEach((w, i) => {
        for (let k = 0; k < w.values.length; k++)
          expect(Math.abs(w.values[k]! - wa[i]!.values[k]!)).toBeLessThan(1e-5);
      });
      const before = a.getWeights().map((w) => w.values.slice());
      a.setLearningRate(1e-12);
      await a.trainBatch(x, y, 4);
      a.getWeights().forEach((w, i) => {
        for (let k = 0; k < w.values.length; k++)
          expect(Math.abs(w.values[k]! - before[i]![k]!)).toBeLessThan(1e-6);
      });
      a.setLearningRate(0.5);
      await a.trainBatch(x, y, 4);
      const moved = a
        .getWeights()
        .some((w, i) => w.values.some((v, k) => Math.abs(v - before[i]![k]!) > 1e-3));
      expect(moved).toBe(true);
      a.dispose();
      b.dispose();
    });

    it('resetDropout(seed, skip) draws the masks a fresh network of that seed draws after batches of those sizes', async () => {
      const base = specs['GRU resetAfter false, sigmoid']!;
      const spec: ModelSpec = {
        ...base,
        layers: [{ ...base.layers[0]!, dropout: 0.3, recurrentDropout: 0.2 }],
        headDropout: 0.25,
      };
      const engine = await getEngine();
      const x = sequences(spec, 4);
      const y = Int32Array.from([0, 1, 2, 3]);
      // Reference: a network of seed 21 trains one batch of 3 (its masks are drawn), then the weights
      // and optimizer state go back, so only the dropout stream has moved on.
      const fresh = await engine.create(spec, { seed: 21 });
      const weights = fresh.getWeights();
      const state = fresh.getOptimizerState();
      await fresh.trainBatch(x.subarray(0, 3 * spec.timeSteps * spec.features), y.subarray(0, 3), 3);
      fresh.setWeights(weights);
      fresh.setOptimizerState(state);
      const want = await fresh.trainBatch(x, y, 4);
      // The same from a network of another seed, reset to seed 21 with one batch of 3 skipped.
      const reset = await engine.create(spec, { seed: 5 });
      reset.setWeights(weights);
      reset.setOptimizerState(state);
      reset.resetDropout(21, [3]);
      const got = await reset.trainBatch(x, y, 4);
      expect(Math.abs(got.loss - want.loss)).toBeLessThan(1e-6);
      const wantWeights = fresh.getWeights();
      reset.getWeights().forEach((w, i) => {
        for (let k = 0; k < w.values.length; k++)
          expect(Math.abs(w.values[k]! - wantWeights[i]!.values[k]!)).toBeLessThan(1e-6);
      });
      // Without the skip the masks differ, and so does the step.
      const unskipped = await engine.create(spec, { seed: 5 });
      unskipped.setWeights(weights);
      unskipped.setOptimizerState(state);
      unskipped.resetDropout(21);
      expect((await unskipped.trainBatch(x, y, 4)).loss).not.toBeCloseTo(want.loss, 6);
      for (const n of [fresh, reset, unskipped]) n.dispose();
    });

    describe('bad input: every engine throws the same error code', () => {
      const spec = specs['GRU resetAfter false, sigmoid']!;
      const codeOf = async (fn: () => unknown): Promise<string> => {
        try {
          await fn();
        } catch (error) {
          const { code, message } = error as { code?: unknown; message: string };
          // Every message says what to pass, not only what was wrong.
          expect(message.length, message).toBeGreaterThan(30);
          return typeof code === 'string' ? code : `no code: ${message}`;
        }
        return 'did not throw';
      };
      const cases: [string, string, (n: Network, engine: Engine) => unknown][] = [
        ['x of the wrong length', 'SHAPE_MISMATCH', (n) => n.predict(new Float32Array(5), 1)],
        ['x as a plain array', 'SHAPE_MISMATCH', (n) => n.predict([1, 2, 3] as unknown as Float32Array, 1)],
        ['a batch of 0', 'INVALID_ARGUMENT', (n) => n.predict(new Float32Array(0), 0)],
        ['a fractional batch', 'INVALID_ARGUMENT', (n) => n.predict(sequences(spec, 1), 1.5)],
        ['NaN in x', 'NON_FINITE', (n) => n.predict(sequences(spec, 1).fill(Number.NaN, 2, 3), 1)],
        [
          'Infinity in x when training',
          'NON_FINITE',
          (n) =>
            n.trainBatch(sequences(spec, 2).fill(Number.POSITIVE_INFINITY, 0, 1), Int32Array.of(0, 1), 2),
        ],
        [
          'y of the wrong length',
          'SHAPE_MISMATCH',
          (n) => n.trainBatch(sequences(spec, 2), Int32Array.of(0), 2),
        ],
        [
          'y not an Int32Array',
          'SHAPE_MISMATCH',
          (n) => n.trainBatch(sequences(spec, 2), [0, 1] as unknown as Int32Array, 2),
        ],
        [
          'a label outside [0, classes)',
          'INVALID_ARGUMENT',
          (n) => n.trainBatch(sequences(spec, 2), Int32Array.of(0, spec.classes), 2),
        ],
        ['a trace of the wrong length', 'SHAPE_MISMATCH', (n) => n.trace(new Float32Array(4))],
        ['a missing weight', 'MISSING_WEIGHT', (n) => n.setWeights(n.getWeights().slice(1))],
        [
          'an unknown weight',
          'UNKNOWN_WEIGHT',
          (n) =>
            n.setWeights([
              ...n.getWeights(),
              { name: 'extra/kernel', shape: [1], values: new Float32Array(1) },
            ]),
        ],
        [
          'a weight of the wrong shape',
          'SHAPE_MISMATCH',
          (n) =>
            n.setWeights(
              n.getWeights().map((w, i) => (i === 0 ? { ...w, shape: [w.shape[1]!, w.shape[0]!] } : w)),
            ),
        ],
        [
          'a weight with too few values',
          'SHAPE_MISMATCH',
          (n) =>
            n.setWeights(
              n.getWeights().map((w, i) => (i === 1 ? { ...w, values: w.values.subarray(1) } : w)),
            ),
        ],
        [
          'a NaN weight',
          'NON_FINITE',
          (n) =>
            n.setWeights(
              n
                .getWeights()
                .map((w, i) => (i === 0 ? { ...w, values: w.values.slice().fill(Number.NaN) } : w)),
            ),
        ],
        [
          'a weight given twice',
          'INVALID_ARGUMENT',
          (n) => n.setWeights([n.getWeights()[0]!, ...n.getWeights()]),
        ],
        ['a learning rate of 0', 'INVALID_ARGUMENT', (n) => n.setLearningRate(0)],
        [
          'optimizer state of another optimizer',
          'SHAPE_MISMATCH',
          (n) => n.setOptimizerState({ step: 1, slots: { momentum: new Float32Array(3) } }),
        ],
        [
          'optimizer state with a negative step',
          'INVALID_ARGUMENT',
          (n) => n.setOptimizerState({ ...n.getOptimizerState(), step: -1 }),
        ],
        [
          'optimizer slots of the wrong size',
          'SHAPE_MISMATCH',
          (n) => n.setOptimizerState({ step: 1, slots: { m: new Float32Array(3), v: new Float32Array(3) } }),
        ],
        ['a NaN seed', 'INVALID_ARGUMENT', (_, e) => e.create(spec, { seed: Number.NaN })],
        ['a negative clipNorm', 'INVALID_ARGUMENT', (_, e) => e.create(spec, { seed: 1, clipNorm: -1 })],
        ['a negative l2', 'INVALID_ARGUMENT', (_, e) => e.create(spec, { seed: 1, l2: -1 })],
        [
          'an infinite l1',
          'INVALID_ARGUMENT',
          (_, e) => e.create(spec, { seed: 1, l1: Number.POSITIVE_INFINITY }),
        ],
        [
          'label smoothing of 1',
          'INVALID_ARGUMENT',
          (_, e) => e.create(spec, { seed: 1, labelSmoothing: 1 }),
        ],
        [
          'an unknown optimizer',
          'INVALID_ARGUMENT',
          (_, e) => e.create(spec, { seed: 1, optimizer: { type: 'lion' as 'sgd', learningRate: 1 } }),
        ],
        [
          'an optimizer learning rate of 0',
          'INVALID_ARGUMENT',
          (_, e) => e.create(spec, { seed: 1, optimizer: { type: 'adam', learningRate: 0 } }),
        ],
      ];
      for (const [what, code, call] of cases) {
        it(`${what} → ${code}`, async () => {
          const engine = await getEngine();
          const network = await engine.create(spec, { seed: 4 });
          expect(await codeOf(() => call(network, engine))).toBe(code);
          network.dispose();
        });
      }

      it('a disposed network → DISPOSED', async () => {
        const engine = await getEngine();
        const network = await engine.create(spec, { seed: 4 });
        network.dispose();
        expect(await codeOf(() => network.getWeights())).toBe('DISPOSED');
        expect(await codeOf(() => network.predict(sequences(spec, 1), 1))).toBe('DISPOSED');
      });
    });
  });
}
