import { describe, expect, it } from 'vitest';
import { checkNetworkGradients, Rng, randomArray } from '../__fixtures__/gradient-check';
import { minCellReference } from '../__fixtures__/min-reference';
import type { FloatArray } from '../float-array';
import { type ModelSpec, parameterCount, validateSpec, weightLayout } from '../spec';
import { allocFloat32 } from '../wasm/runtime';
import type { ScanSchedule } from './linear-scan';
import { scanBackward, scanForward } from './linear-scan';
import { recurrentBackward, recurrentForward } from './sequence';
import { type DType, RecurrentWorkspace } from './workspace';

const CELLS = ['mingru', 'minlstm'] as const;

/** One direction on a workspace: x [T,B,I] time-major, returns states [T+1,B,u] and the workspace. */
function runCell(
  cell: 'mingru' | 'minlstm',
  dtype: DType,
  scan: ScanSchedule,
  x: FloatArray,
  kernel: FloatArray,
  bias: FloatArray,
  dims: { T: number; B: number; I: number; u: number },
  goBackwards = false,
  h0: FloatArray | null = null,
): RecurrentWorkspace {
  const { T, B, I, u } = dims;
  const ws = new RecurrentWorkspace(
    { cell, units: u, inputSize: I, resetAfter: false, recurrentActivation: 'sigmoid', goBackwards },
    T,
    dtype,
  );
  ws.scan = scan;
  const empty = dtype === 'float64' ? new Float64Array(0) : new Float32Array(0);
  recurrentForward(ws, x, { kernel, recurrentKernel: empty, bias }, B, h0, null);
  return ws;
}

/** [B,T,I] batch-major → [T,B,I] time-major. */
function timeMajor(x: ArrayLike<number>, B: number, T: number, I: number, reverse = false): Float64Array {
  const out = new Float64Array(B * T * I);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++) {
      const src = (b * T + (reverse ? T - 1 - t : t)) * I;
      out.set(
        Array.from({ length: I }, (_, i) => x[src + i]!),
        (t * B + b) * I,
      );
    }
  }
  return out;
}

describe('spec: minGRU / minLSTM layouts', () => {
  it('have kernel [I, g·u] and bias [g·u] and no recurrent kernel', () => {
    const layers: ModelSpec['layers'] = [
      { cell: 'mingru', units: 8, bidirectional: true },
      { cell: 'minlstm', units: 4 },
    ];
    const spec: ModelSpec = { timeSteps: 28, features: 28, classes: 10, layers };
    expect(weightLayout(spec).entries.map((e) => [e.name, e.shape])).toEqual([
      ['bidirectional/forward_min_gru/kernel', [28, 16]],
      ['bidirectional/forward_min_gru/bias', [16]],
      ['bidirectional/backward_min_gru/kernel', [28, 16]],
      ['bidirectional/backward_min_gru/bias', [16]],
      ['min_lstm/kernel', [16, 12]],
      ['min_lstm/bias', [12]],
      ['dense/kernel', [4, 10]],
      ['dense/bias', [10]],
    ]);
    expect(parameterCount(spec)).toBe(2 * (28 * 16 + 16) + 16 * 12 + 12 + 4 * 10 + 10);
  });
  it('reject recurrent dropout and other gate activations with a message naming the field', () => {
    const base = { timeSteps: 2, features: 2, classes: 2 };
    expect(() =>
      validateSpec({ ...base, layers: [{ cell: 'mingru', units: 2, recurrentDropout: 0.1 }] }),
    ).toThrow(/layers\[0\]\.recurrentDropout must be 0 for a mingru layer/);
    expect(() =>
      validateSpec({ ...base, layers: [{ cell: 'minlstm', units: 2, recurrentActivation: 'hardSigmoid' }] }),
    ).toThrow(/recurrentActivation must be "sigmoid" for a minlstm layer/);
    expect(() => validateSpec({ ...base, layers: [{ cell: 'minrnn' as 'mingru', units: 2 }] })).toThrow(
      /"mingru" or "minlstm"/,
    );
  });
});

describe('linear scan: parallel schedule = sequential schedule', () => {
  // Float64 runs the TypeScript loops; Float32 buffers in the arena the WebAssembly kernels (N = 6: one SIMD
  // vector and a tail of 2 lanes for the loops).
  const copies = {
    float64: (v: ArrayLike<number>): FloatArray => Float64Array.from(v),
    float32: (v: ArrayLike<number>): FloatArray => {
      const out = allocFloat32(v.length);
      out.set(v);
      return out;
    },
  };
  for (const T of [1, 2, 3, 4, 5, 9, 10, 28, 50, 100]) {
    it(`T = ${T}, forward and backward, in Float64 to 1e-13 and in Float32 to 1e-5`, () => {
      const N = 6;
      const rng = new Rng(T);
      const a = Float64Array.from({ length: T * N }, () => rng.uniform(0, 1));
      const h = randomArray(rng, (T + 1) * N);
      const d = randomArray(rng, T * N);
      // References: the recurrences written out.
      const ref = Float64Array.from(h);
      for (let s = 0; s < T; s++)
        for (let n = 0; n < N; n++)
          ref[(s + 1) * N + n] = a[s * N + n]! * ref[s * N + n]! + h[(s + 1) * N + n]!;
      const gref = Float64Array.from(d);
      for (let s = T - 2; s >= 0; s--)
        for (let n = 0; n < N; n++)
          gref[s * N + n] = d[s * N + n]! + a[(s + 1) * N + n]! * gref[(s + 1) * N + n]!;
      const c = Float64Array.from({ length: T * N }, (_, k) => (k + N < T * N ? a[k + N]! : 0));
      for (const [dtype, copy] of Object.entries(copies)) {
        const digits = dtype === 'float64' ? 13 : 5;
        for (const schedule of ['sequential', 'parallel'] as const) {
          const hs = copy(h);
          scanForward(hs, copy(a), T, N, schedule);
          const gs = copy(d);
          scanBackward(gs, copy(c), T, N, schedule);
          for (let k = 0; k < ref.length; k++)
            expect(hs[k], `${dtype} ${schedule}`).toBeCloseTo(ref[k]!, digits);
          for (let k = 0; k < gref.length; k++)
            expect(gs[k], `${dtype} ${schedule}`).toBeCloseTo(gref[k]!, digits);
        }
      }
    });
  }
});

describe('minGRU / minLSTM forward against the Float64 equations', () => {
  for (const cell of CELLS) {
    for (const scan of ['sequential', 'parallel'] as const) {
      for (const goBackwards of [false, true]) {
        it(`${cell}, ${scan}${goBackwards ? ', goBackwards' : ''}: Float64 to 1e-12, Float32 to 1e-5`, () => {
          const dims = { T: 11, B: 3, I: 4, u: 5 };
          const { T, B, I, u } = dims;
          const G = (cell === 'mingru' ? 2 : 3) * u;
          const rng = new Rng(7);
          const x = randomArray(rng, B * T * I, 2);
          const kernel = randomArray(rng, I * G);
          const bias = randomArray(rng, G, 0.5);
          const h0 = randomArray(rng, B * u);
          const ref = minCellReference(
            cell,
            goBackwards ? timeMajorReverse(x, B, T, I) : x,
            B,
            T,
            I,
            u,
            { kernel, bias },
            h0,
          );
          const xt = timeMajor(x, B, T, I);
          for (const dtype of ['float64', 'float32'] as const) {
            const cast = (v: Float64Array): FloatArray => (dtype === 'float64' ? v : Float32Array.from(v));
            const ws = runCell(
              cell,
              dtype,
              scan,
              cast(xt),
              cast(kernel),
              cast(bias),
              dims,
              goBackwards,
              cast(h0),
            );
            let worst = 0;
            for (let s = 0; s < T; s++) {
              for (let b = 0; b < B; b++) {
                for (let j = 0; j < u; j++) {
                  const got = ws.hs[((s + 1) * B + b) * u + j]!;
                  const want = ref[(b * T + s) * u + j]!;
                  worst = Math.max(worst, Math.abs(got - want) / Math.max(1, Math.abs(want)));
                }
              }
            }
            expect(worst).toBeLessThan(dtype === 'float64' ? 1e-12 : 1e-5);
            expect(worst).toBeGreaterThanOrEqual(0);
          }
        });
      }
    }
  }
});

/** [B,T,I] with every sequence reversed in time (what goBackwards reads). */
function timeMajorReverse(x: Float64Array, B: number, T: number, I: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      out.set(x.subarray((b * T + T - 1 - t) * I, (b * T + T - t) * I), (b * T + t) * I);
  return out;
}

describe('minGRU / minLSTM: 784 steps in Float32, sequential and parallel schedules agree', () => {
  for (const cell of CELLS) {
    it(`${cell}: states and gradients within 1e-5`, () => {
      const dims = { T: 784, B: 2, I: 1, u: 16 };
      const { T, B, I, u } = dims;
      const G = (cell === 'mingru' ? 2 : 3) * u;
      const rng = new Rng(3);
      const x = Float32Array.from(randomArray(rng, T * B * I));
      const kernel = Float32Array.from(randomArray(rng, I * G));
      const bias = Float32Array.from(randomArray(rng, G, 0.5));
      const dHs = Float32Array.from(randomArray(rng, T * B * u, 0.01));
      const grads = (scan: ScanSchedule) => {
        const ws = runCell(cell, 'float32', scan, x, kernel, bias, dims);
        ws.ensureBackwardCapacity(B);
        ws.dHs.set(dHs);
        const g = {
          kernel: new Float32Array(I * G),
          recurrentKernel: new Float32Array(0),
          bias: new Float32Array(G),
        };
        const dx = new Float32Array(T * B * I);
        recurrentBackward(ws, g, dx, x, { kernel, recurrentKernel: new Float32Array(0), bias });
        return {
          hs: Float32Array.from(ws.hs.subarray(0, (T + 1) * B * u)),
          ...g,
          dx,
          dh: Float32Array.from(ws.dh.subarray(0, B * u)),
        };
      };
      const s = grads('sequential');
      const p = grads('parallel');
      for (const key of ['hs', 'kernel', 'bias', 'dx', 'dh'] as const) {
        let scale = 0;
        let diff = 0;
        for (let k = 0; k < s[key].length; k++) {
          scale = Math.max(scale, Math.abs(s[key][k]!));
          diff = Math.max(diff, Math.abs(s[key][k]! - p[key][k]!));
        }
        expect(scale, key).toBeGreaterThan(0);
        expect(diff / scale, key).toBeLessThan(1e-5);
      }
    });
  }
});

describe('minGRU / minLSTM networks: Float64 finite-difference gradient checks', () => {
  const base = { timeSteps: 7, features: 3, classes: 3 };
  for (const training of [false, true]) {
    const scan = training ? 'parallel scan' : 'sequential';
    it(`${scan}: stacked minGRU → minLSTM (goBackwards)`, () => {
      checkNetworkGradients(
        {
          ...base,
          layers: [
            { cell: 'mingru', units: 4 },
            { cell: 'minlstm', units: 3, goBackwards: true },
          ],
        },
        { training },
      );
    });
    it(`${scan}: bidirectional minLSTM → bidirectional minGRU, then GRU`, () => {
      checkNetworkGradients(
        {
          ...base,
          layers: [
            { cell: 'minlstm', units: 3, bidirectional: true },
            { cell: 'mingru', units: 2, bidirectional: true },
            { cell: 'gru', units: 2 },
          ],
        },
        { training },
      );
    });
  }
  it('parallel scan with input dropout and head dropout (masks held fixed)', () => {
    checkNetworkGradients(
      {
        ...base,
        headDropout: 0.3,
        layers: [
          { cell: 'mingru', units: 3, bidirectional: true, dropout: 0.3 },
          { cell: 'minlstm', units: 3, dropout: 0.2 },
        ],
      },
      { training: true, dropout: true },
    );
  });
});

describe('minGRU / minLSTM networks: trace and training', () => {
  it('trace lists the gates by input time and the last state matches predict', async () => {
    const { mathEngine } = await import('../math-network');
    for (const cell of CELLS) {
      const spec: ModelSpec = {
        timeSteps: 5,
        features: 3,
        classes: 2,
        layers: [{ cell, units: 4, goBackwards: true }],
      };
      const net = await mathEngine.create(spec, { seed: 1 });
      const x = Float32Array.from(randomArray(new Rng(2), 15));
      const trace = await net.trace(x);
      const layer = trace.layers[0]!;
      expect(Object.keys(layer.gates)).toEqual(
        cell === 'mingru' ? ['z', 'hCandidate'] : ['i', 'f', 'hCandidate'],
      );
      // goBackwards: the state after the whole sequence sits at input time 0.
      const w = net.getWeights();
      const kernel = w.find((e) => e.name.endsWith('/kernel') && !e.name.startsWith('dense'))!.values;
      const bias = w.find((e) => e.name.endsWith('/bias') && !e.name.startsWith('dense'))!.values;
      const ref = minCellReference(cell, timeMajorReverse(Float64Array.from(x), 1, 5, 3), 1, 5, 3, 4, {
        kernel,
        bias,
      });
      for (let j = 0; j < 4; j++) expect(layer.h[j]).toBeCloseTo(ref[4 * 4 + j]!, 5);
      const probs = await net.predict(x, 1);
      for (let c = 0; c < 2; c++) expect(probs[c]).toBeCloseTo(trace.probabilities[c]!, 6);
      net.dispose();
    }
  });
  it('a few Adam steps lower the training loss of a minGRU and a minLSTM', async () => {
    const { mathEngine } = await import('../math-network');
    for (const cell of CELLS) {
      const spec: ModelSpec = { timeSteps: 6, features: 2, classes: 2, layers: [{ cell, units: 8 }] };
      const net = await mathEngine.create(spec, { seed: 3, optimizer: { type: 'adam', learningRate: 0.02 } });
      const rng = new Rng(4);
      const B = 32;
      const x = Float32Array.from(randomArray(rng, B * 12));
      // Label: sign of the sum of the first feature over time.
      const y = Int32Array.from({ length: B }, (_, b) => {
        let s = 0;
        for (let t = 0; t < 6; t++) s += x[(b * 6 + t) * 2]!;
        return s > 0 ? 1 : 0;
      });
      const first = await net.trainBatch(x, y, B);
      let last = first;
      for (let i = 0; i < 60; i++) last = await net.trainBatch(x, y, B);
      expect(last.loss).toBeLessThan(first.loss * 0.5);
      net.dispose();
    }
  });
});
