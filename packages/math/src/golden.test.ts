import { describe, expect, it } from 'vitest';
import { literalGru } from './__fixtures__/gru-reference';
import { recurrentBackward, recurrentForward } from './cells/sequence';
import { type RecurrentParams, RecurrentWorkspace } from './cells/workspace';
import { type RecurrentLayerOptions, recurrentLayerForward } from './layer-forward';
import { Rng } from './rng';

const ones = (n: number): Float32Array => new Float32Array(n).fill(1);

function expectClose(actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++)
    expect(Math.abs(actual[i]! - expected[i]!), `index ${i}`).toBeLessThan(tolerance);
}

describe('golden values published by tfjs-layers (recurrent_test.ts, "GRU Tensor")', () => {
  // tfjs: tfl.layers.gru({units: 5, kernelInitializer: 'ones', recurrentInitializer: 'ones',
  // biasInitializer: 'ones'}) on tfc.zeros([4, 3, 2]) gives, at every step and unit,
  // goldenOutputElementValues = [0.22847827, 0.2813754, 0.29444352] (tfjs' default recurrent
  // activation is hardSigmoid, resetAfter false).
  const golden = [0.22847827, 0.2813754, 0.29444352];
  const weights = { kernel: ones(2 * 15), recurrentKernel: ones(5 * 15), bias: ones(15) };
  const options = { cell: 'gru', units: 5, recurrentActivation: 'hardSigmoid' } as const;

  it('returnSequences=true: every step of every sample and unit', () => {
    const out = recurrentLayerForward(new Float32Array(4 * 3 * 2), 4, 3, weights, {
      ...options,
      returnSequences: true,
    });
    const expected = Array.from({ length: 4 * 3 * 5 }, (_, i) => golden[Math.floor(i / 5) % 3]!);
    expectClose(out, expected, 1e-6);
  });

  it('returnSequences=false: the last step', () => {
    const out = recurrentLayerForward(new Float32Array(4 * 3 * 2), 4, 3, weights, options);
    expectClose(out, new Array(20).fill(golden[2]), 1e-6);
  });

  // tfjs "SymbolicTensor as initialState": GRU(2), kernel and recurrent kernel ones, bias zeros,
  // initial state = Dense(2, ones)([0.1, 0.2, 0.3, 0.4, 0.5]) = [1.5, 1.5] → [[1.4435408, 1.4435408]].
  it('initial state', () => {
    const x = Float32Array.of(0.1, 0.2, 0.3, 0.4, -0.1, -0.2, -0.3, -0.4, 0.3, 0.4, 0.5, 0.6);
    const out = recurrentLayerForward(
      x,
      1,
      3,
      { kernel: ones(4 * 6), recurrentKernel: ones(2 * 6), bias: new Float32Array(6) },
      { cell: 'gru', units: 2, recurrentActivation: 'hardSigmoid', initialState: Float32Array.of(1.5, 1.5) },
    );
    expectClose(out, [1.4435408, 1.4435408], 1e-6);
  });

  // tfjs "BPTT": GRU(1, kernel zeros, recurrent zeros, useBias false) → Dense(1, kernel ones, no bias),
  // MSE, SGD(1), x = ones([5, 3, 4]), y = ones([5, 1]), 2 epochs of one batch. Expected weights:
  // kernel = tile([[-0.03750037, 0, 1.7500007]], [4, 1]), recurrent = [[-1.562513e-02, 0, 2.086183e-07]],
  // dense = [[1.2187521]]. Reproduced here with the core's forward/backward and a hand-written MSE head.
  it('BPTT: two SGD steps of GRU(1) + Dense(1) with MSE give the published weights', () => {
    const B = 5;
    const T = 3;
    const I = 4;
    const params: RecurrentParams = {
      kernel: new Float64Array(I * 3),
      recurrentKernel: new Float64Array(3),
      bias: new Float64Array(3),
    };
    let dense = 1;
    const x = new Float64Array(T * B * I).fill(1);
    const ws = new RecurrentWorkspace(
      {
        cell: 'gru',
        units: 1,
        inputSize: I,
        resetAfter: false,
        recurrentActivation: 'hardSigmoid',
        goBackwards: false,
      },
      T,
      'float64',
    );
    for (let step = 0; step < 2; step++) {
      recurrentForward(ws, x, params, B, null, null);
      ws.ensureBackwardCapacity(B);
      ws.dHs.fill(0);
      let dDense = 0;
      for (let b = 0; b < B; b++) {
        const h = ws.hs[T * B + b]!;
        const dy = (2 * (h * dense - 1)) / B;
        dDense += dy * h;
        ws.dHs[(T - 1) * B + b] = dy * dense;
      }
      const grads = {
        kernel: new Float64Array(I * 3),
        recurrentKernel: new Float64Array(3),
        bias: new Float64Array(3),
      };
      recurrentBackward(ws, grads, null, x, params);
      for (let i = 0; i < I * 3; i++) params.kernel[i]! -= grads.kernel[i]!;
      for (let i = 0; i < 3; i++) params.recurrentKernel[i]! -= grads.recurrentKernel[i]!;
      dense -= dDense;
    }
    const kernelRow = [-0.03750037, 0, 1.7500007];
    expectClose(params.kernel, [...kernelRow, ...kernelRow, ...kernelRow, ...kernelRow], 1e-6);
    expectClose(params.recurrentKernel, [-1.562513e-2, 0, 2.086183e-7], 1e-6);
    expect(dense).toBeCloseTo(1.2187521, 6);
  });
});

// Independent golden values, computed with NumPy (float64) by this script:
//
// import numpy as np
// def sig(a): return 1/(1+np.exp(-a))
// B, T, I, u = 2, 3, 3, 2
// def w(shape, k):  # deterministic weights: 0.5*sin(k + 0.7*n) over the row-major index n
//     n = np.arange(np.prod(shape)).reshape(shape)
//     return 0.5*np.sin(k + 0.7*n)
// x = np.cos(np.arange(B*T*I).reshape(B, T, I)*0.9)
// h0 = 0.3*np.sin(np.arange(B*u).reshape(B, u) + 2.0)
// def gru(after, backwards):
//     G = 3*u
//     W, U = w((I, G), 1.0), w((u, G), 2.0)
//     b = w((2, G), 3.0) if after else w((G,), 3.0)
//     h = h0.copy(); out = []
//     steps = range(T-1, -1, -1) if backwards else range(T)
//     for t in steps:
//         xb = x[:, t] @ W + (b[0] if after else b)
//         if after:
//             hr = h @ U + b[1]
//             z = sig(xb[:, :u] + hr[:, :u]); r = sig(xb[:, u:2*u] + hr[:, u:2*u])
//             hh = np.tanh(xb[:, 2*u:] + r*hr[:, 2*u:])
//         else:
//             z = sig(xb[:, :u] + h @ U[:, :u]); r = sig(xb[:, u:2*u] + h @ U[:, u:2*u])
//             hh = np.tanh(xb[:, 2*u:] + (r*h) @ U[:, 2*u:])
//         h = z*h + (1-z)*hh; out.append(h)
//     return np.stack(out, 1)
// def lstm():
//     G = 4*u
//     W, U, b = w((I, G), 1.0), w((u, G), 2.0), w((G,), 3.0)
//     h = h0.copy(); c = np.zeros((B, u)); out = []
//     for t in range(T):
//         a = x[:, t] @ W + h @ U + b
//         i, f, g, o = sig(a[:, :u]), sig(a[:, u:2*u]), np.tanh(a[:, 2*u:3*u]), sig(a[:, 3*u:])
//         c = f*c + i*g; h = o*np.tanh(c); out.append(h)
//     return np.stack(out, 1)
// def rnn():
//     W, U, b = w((I, u), 1.0), w((u, u), 2.0), w((u,), 3.0)
//     h = h0.copy(); out = []
//     for t in range(T):
//         h = np.tanh(x[:, t] @ W + h @ U + b); out.append(h)
//     return np.stack(out, 1)
// np.set_printoptions(precision=9, floatmode='fixed')
// print('gru before', gru(False, False).ravel().tolist())
// print('gru after backwards', gru(True, True).ravel().tolist())
// print('lstm', lstm().ravel().tolist())
// print('rnn', rnn().ravel().tolist())
describe('golden values computed independently with NumPy', () => {
  const B = 2;
  const T = 3;
  const I = 3;
  const u = 2;
  const w = (n: number, k: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => 0.5 * Math.sin(k + 0.7 * i));
  const x = Float32Array.from({ length: B * T * I }, (_, i) => Math.cos(i * 0.9));
  const h0 = Float32Array.from({ length: B * u }, (_, i) => 0.3 * Math.sin(i + 2));

  // Gate blocks per unit (kernels [I, gates·u] and [u, gates·u]), the bias length and NumPy's output.
  const cases: {
    name: string;
    options: Pick<RecurrentLayerOptions, 'cell' | 'resetAfter' | 'goBackwards'>;
    gates: number;
    bias: number;
    expected: number[];
  }[] = [
    {
      name: 'GRU resetAfter=false with an initial state, returnSequences',
      options: { cell: 'gru' },
      gates: 3,
      bias: 6,
      expected: [
        0.05473907200361672, -0.08889031533248373, -0.14030178384334333, 0.09815900584567785,
        -0.06579727291735475, 0.1796357187064947, -0.3026599400605673, -0.22780118067469934,
        -0.12507975693700418, 0.3302141551207764, -0.19656757712905693, 0.04534307886917077,
      ],
    },
    {
      name: 'GRU resetAfter=true, goBackwards, initial state, returnSequences (processing order, as Keras)',
      options: { cell: 'gru', resetAfter: true, goBackwards: true },
      gates: 3,
      bias: 12,
      expected: [
        0.07331946214586582, 0.016881621051123594, -0.12130442745013702, 0.03458121268611296,
        -0.1886070696182654, -0.11661598818254498, -0.30569261258246017, -0.3656190568736323,
        -0.20016849461089742, 0.12717436603235022, -0.29714570529135453, -0.05938413921129976,
      ],
    },
    {
      name: 'LSTM (i|f|c|o) with an initial hidden state',
      options: { cell: 'lstm' },
      gates: 4,
      bias: 8,
      expected: [
        -0.17490766503433408, -0.20144367467836283, -0.03457752265988988, 0.03699371373701019,
        -0.05442460216672215, -0.11137783012566572, -0.07664205252626535, 0.12233777727545322,
        0.007496749872912048, 0.03131136746899125, -0.22848407204701704, -0.025655762070046058,
      ],
    },
    {
      name: 'SimpleRNN with an initial state',
      options: { cell: 'simpleRnn' },
      gates: 1,
      bias: 2,
      expected: [
        0.7110747577342043, 0.376398722505053, -0.26640835925348266, -0.5586374529379655, 0.4131673742423749,
        -0.05508310304790416, -0.13326549270200783, 0.09884741546584495, -0.16980171624333185,
        -0.7188290635576357, 0.4842966958705145, 0.6237558442743789,
      ],
    },
  ];

  it.each(cases)('$name', ({ options, gates, bias, expected }) => {
    const out = recurrentLayerForward(
      x,
      B,
      T,
      { kernel: w(I * gates * u, 1), recurrentKernel: w(u * gates * u, 2), bias: w(bias, 3) },
      { ...options, units: u, returnSequences: true, initialState: h0 },
    );
    expectClose(out, expected, 1e-6);
  });
});

describe("the seed text's own GRU formulation", () => {
  // The seed writes h_t = (1 − z') ⊙ h_{t−1} + z' ⊙ h̃ with the reset gate applied after the recurrent
  // product. Since 1 − σ(a) = σ(−a), that is the core's resetAfter GRU with z' = 1 − z, i.e. with the
  // z-block of kernel, recurrent kernel and both biases negated. Computed literally here, in Float64.
  it('computed literally equals the core (resetAfter: true) after relabelling z as 1 − z', () => {
    const rng = new Rng(8);
    const B = 3;
    const T = 5;
    const I = 4;
    const u = 3;
    const G = 3 * u;
    const rand = (n: number): Float32Array => Float32Array.from({ length: n }, () => rng.uniform(-0.8, 0.8));
    const kernel = rand(I * G);
    const recurrentKernel = rand(u * G);
    const bias = rand(2 * G);
    const x = rand(B * T * I);
    const core = recurrentLayerForward(
      x,
      B,
      T,
      { kernel, recurrentKernel, bias },
      {
        cell: 'gru',
        units: u,
        resetAfter: true,
        returnSequences: true,
      },
    );

    // The seed's weights: W_z' = −W_z, U_z' = −U_z, b_z' = −b_z; r and h̃ unchanged.
    const flipZ = (m: Float32Array, rows: number): Float64Array => {
      const out = Float64Array.from(m);
      for (let r = 0; r < rows; r++) for (let j = 0; j < u; j++) out[r * G + j] = -m[r * G + j]!;
      return out;
    };
    const Wx = flipZ(kernel, I);
    const Wh = flipZ(recurrentKernel, u);
    const bx = flipZ(bias.subarray(0, G), 1);
    const bh = flipZ(bias.subarray(G), 1);
    const sigma = (a: number): number => 1 / (1 + Math.exp(-a));
    const literal = new Float64Array(B * T * u);
    for (let b = 0; b < B; b++) {
      let h = new Float64Array(u);
      for (let t = 0; t < T; t++) {
        const next = new Float64Array(u);
        for (let j = 0; j < u; j++) {
          const gateIn = (block: number): number => {
            let s = bx[block * u + j]!;
            for (let i = 0; i < I; i++) s += x[(b * T + t) * I + i]! * Wx[i * G + block * u + j]!;
            return s;
          };
          const gateRec = (block: number): number => {
            let s = bh[block * u + j]!;
            for (let k = 0; k < u; k++) s += h[k]! * Wh[k * G + block * u + j]!;
            return s;
          };
          const zSeed = sigma(gateIn(0) + gateRec(0));
          const r = sigma(gateIn(1) + gateRec(1));
          const hTilde = Math.tanh(gateIn(2) + r * gateRec(2));
          next[j] = (1 - zSeed) * h[j]! + zSeed * hTilde;
        }
        h = next;
        for (let j = 0; j < u; j++) literal[(b * T + t) * u + j] = h[j]!;
      }
    }
    expectClose(core, literal, 1e-6);
  });
});

/**
 * A random GRU layer (B 3, T 6, I 4, u 5) from `seed`: kernel, recurrent kernel, bias and then the inputs x,
 * drawn in that order uniform in ± their `scale` (the same order).
 */
function randomGru(seed: number, resetAfter: boolean, scale: readonly [number, number, number, number]) {
  const rng = new Rng(seed);
  const [B, T, I, u] = [3, 6, 4, 5];
  const G = 3 * u;
  const rand = (n: number, s: number): Float32Array =>
    Float32Array.from({ length: n }, () => rng.uniform(-s, s));
  const weights = {
    kernel: rand(I * G, scale[0]),
    recurrentKernel: rand(u * G, scale[1]),
    bias: rand((resetAfter ? 2 : 1) * G, scale[2]),
  };
  return { B, T, I, u, weights, x: rand(B * T * I, scale[3]) };
}

describe('Keras 3 hard sigmoid clip(x/6 + 0.5) against a literal Float64 GRU', () => {
  const keras3 = (a: number): number => Math.max(0, Math.min(1, a / 6 + 0.5));
  const keras2 = (a: number): number => Math.max(0, Math.min(1, 0.2 * a + 0.5));
  for (const resetAfter of [false, true]) {
    it(`resetAfter ${resetAfter}: 'hardSigmoidKeras3' is x/6, 'hardSigmoid' stays 0.2x`, () => {
      // Large weights drive the gates into both clipped ends and the linear middle.
      const { B, T, I, u, weights, x } = randomGru(21, resetAfter, [3, 2, 1, 1.5]);
      const run = (recurrentActivation: 'hardSigmoid' | 'hardSigmoidKeras3'): Float32Array =>
        recurrentLayerForward(x, B, T, weights, {
          cell: 'gru',
          units: u,
          resetAfter,
          recurrentActivation,
          returnSequences: true,
        });
      const want3 = literalGru(x, B, T, I, u, weights, { resetAfter, gate: keras3 });
      const want2 = literalGru(x, B, T, I, u, weights, { resetAfter, gate: keras2 });
      expectClose(run('hardSigmoidKeras3'), want3, 1e-6);
      expectClose(run('hardSigmoid'), want2, 1e-6);
      // The two functions really differ on this input (so the test can tell them apart).
      expect(Math.max(...want3.map((v, i) => Math.abs(v - want2[i]!)))).toBeGreaterThan(1e-2);
    });
  }
});

describe("the founding text's GRU as an option: updateGate 'takesNew'", () => {
  for (const resetAfter of [true, false]) {
    it(`resetAfter ${resetAfter}: equals h = (1 − z) ⊙ h_prev + z ⊙ h̃ computed literally`, () => {
      const { B, T, I, u, weights, x } = randomGru(31, resetAfter, [1, 1, 0.5, 1]);
      const sigma = (a: number): number => 1 / (1 + Math.exp(-a));
      const got = recurrentLayerForward(x, B, T, weights, {
        cell: 'gru',
        units: u,
        resetAfter,
        updateGate: 'takesNew',
        returnSequences: true,
      });
      const want = literalGru(x, B, T, I, u, weights, { resetAfter, gate: sigma, updateGate: 'takesNew' });
      expectClose(got, want, 1e-6);
      // …and differs from the Keras form on the same weights.
      const keras = literalGru(x, B, T, I, u, weights, { resetAfter, gate: sigma });
      expect(Math.max(...keras.map((v, i) => Math.abs(v - want[i]!)))).toBeGreaterThan(1e-2);
    });
  }
});
