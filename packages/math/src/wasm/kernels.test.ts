import { afterEach, describe, expect, it } from 'vitest';
import { GruMathError } from '../errors';
import { MathNetwork } from '../math-network';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { inArena } from './arena';
import type { GateKernelName } from './gate-module';
import { bindGateKernel, kernelColumns, operand } from './ops';
import {
  activeKernels,
  allocFloat32,
  initKernels,
  kernelMode,
  setKernels,
  wasmSimdSupported,
} from './runtime';

describe('kernel selection', () => {
  afterEach(() => {
    setKernels('auto');
  });

  it('detects WebAssembly SIMD (Node 20 has it) and uses it by default', async () => {
    expect(wasmSimdSupported()).toBe(true);
    await initKernels();
    expect(kernelMode()).toBe('auto');
    expect(activeKernels()).toBe('wasm');
  });

  it("switches to the TypeScript kernels with 'js' and back", () => {
    setKernels('js');
    expect(activeKernels()).toBe('js');
    setKernels('wasm');
    expect(activeKernels()).toBe('wasm');
  });

  it('rejects an unknown mode with a message that lists the valid ones', () => {
    expect(() => setKernels('simd' as 'wasm')).toThrow(GruMathError);
    expect(() => setKernels('simd' as 'wasm')).toThrow(`kernels must be 'auto', 'wasm' or 'js', got "simd".`);
  });

  it('allocates Float32 buffers inside the WebAssembly memory only for the WASM kernels, zero-filled', () => {
    const a = allocFloat32(1000);
    expect(inArena(a)).toBe(true);
    expect(a.every((v) => v === 0)).toBe(true);
    a.fill(3);
    const b = allocFloat32(1000);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(a[999]).toBe(3);
    setKernels('js');
    expect(inArena(allocFloat32(10))).toBe(false);
  });
});

describe('batch-1 inference', () => {
  const spec: ModelSpec = { timeSteps: 5, features: 4, classes: 3, layers: [{ cell: 'gru', units: 6 }] };
  for (const kernels of ['js', 'wasm'] as const) {
    it(`predictInto returns the same probabilities on every call and allocates no buffers (${kernels})`, () => {
      setKernels(kernels);
      const net = new MathNetwork(spec, { seed: 4 });
      const rng = new Rng(2);
      const x = Float32Array.from({ length: 20 }, () => rng.uniform(-1, 1));
      const expected = net.predictSync(x, 1);
      const out = new Float32Array(3);
      net.predictInto(x, 1, out);
      const created: number[] = [];
      const real = globalThis.Float32Array;
      // Count Float32Array constructions during repeated calls (subclass construction is observable).
      class Counting extends real {
        static override [Symbol.hasInstance](value: unknown): boolean {
          return value instanceof real;
        }
        constructor(...args: ConstructorParameters<typeof Float32Array>) {
          super(...(args as unknown as [number]));
          created.push(this.length);
        }
      }
      globalThis.Float32Array = Counting as unknown as Float32ArrayConstructor;
      try {
        for (let i = 0; i < 50; i++) {
          net.predictInto(x, 1, out);
          expect(Array.from(out)).toEqual(Array.from(expected));
        }
        expect(created).toEqual([]);
        // The counter sees allocations: predictSync allocates its result.
        net.predictSync(x, 1);
      } finally {
        globalThis.Float32Array = real;
      }
      expect(created).toEqual([3]);
    });
  }

  it('predictInto rejects a short output buffer', () => {
    const net = new MathNetwork(spec, { seed: 4 });
    expect(() => net.predictInto(new Float32Array(20), 1, new Float32Array(2))).toThrow(
      'out must hold batch × classes = 3 values, got 2. Allocate new Float32Array(3).',
    );
  });
});

describe('WebAssembly SIMD gate kernels', () => {
  afterEach(() => {
    setKernels('auto');
  });

  it('σ(a + b) and tanh(a + b) match Math within 2e-7 over [-100, 100], with strides; the column tail is left to the caller', () => {
    setKernels('wasm');
    const rows = 3;
    const cols = 4001;
    const ld = cols + 3;
    const a = allocFloat32(rows * ld);
    const b = allocFloat32(rows * ld);
    const out = allocFloat32(rows * ld);
    for (let i = 0; i < rows * ld; i++) {
      a[i] = -100 + (200 * i) / (rows * ld);
      b[i] = Math.sin(i) * 1e-3;
    }
    for (const kind of ['sigmoid_of_sum', 'tanh_of_sum'] as const) {
      out.fill(7);
      const kernel = bindGateKernel(
        kind,
        [operand(out, 1, ld), operand(a, 2, ld), operand(b, 0, ld)],
        rows,
        cols,
      );
      expect(kernelColumns(kernel)).toBe(4000);
      kernel!.run();
      let worst = 0;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < 4000; j++) {
          const v = a[2 + i * ld + j]! + b[i * ld + j]!;
          const want = kind === 'sigmoid_of_sum' ? 1 / (1 + Math.exp(-v)) : Math.tanh(v);
          worst = Math.max(worst, Math.abs(out[1 + i * ld + j]! - want));
        }
        expect(out[1 + i * ld + 4000], kind).toBe(7);
      }
      expect(worst, kind).toBeLessThan(2e-7);
      expect(out[0], kind).toBe(7);
    }
  });

  it('declines (null) for the TypeScript kernels, for buffers outside the arena and for fewer than 4 columns', () => {
    const a = new Float32Array(8);
    setKernels('wasm');
    const args = (x: Float32Array) => [operand(x, 0, 8), operand(x, 0, 8), operand(x, 0, 8)];
    expect(bindGateKernel('tanh_of_sum', args(a), 1, 8)).toBeNull();
    const inside = allocFloat32(8);
    expect(bindGateKernel('tanh_of_sum', args(inside), 1, 8)).not.toBeNull();
    expect(bindGateKernel('tanh_of_sum', args(inside), 1, 3)).toBeNull();
    expect(kernelColumns(null)).toBe(0);
    setKernels('js');
    expect(bindGateKernel('tanh_of_sum', args(inside), 1, 8)).toBeNull();
  });

  // Every kernel on [rows, cols] operands at their own offsets and strides against Float64 values per element:
  // the forward kernels from their equations, the backward kernels as central differences of a loss written
  // from the forward equations (so the derivative formulas are checked, not copied).
  const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
  const cand = (v: number) => (v >= 0 ? v + 0.5 : sigmoid(v));

  /** A forward kernel: its inputs drawn in [lo, hi], its outputs per element. */
  interface ForwardCase {
    readonly inputs: number;
    readonly range?: readonly [number, number];
    readonly ref: (x: readonly number[]) => number[];
  }
  const forward: Partial<Record<GateKernelName, ForwardCase>> = {
    product: { inputs: 2, ref: ([a, b]) => [a! * b!] },
    tanh_blend: {
      inputs: 4,
      ref: ([a, b, z, hp]) => {
        const t = Math.tanh(a! + b!);
        return [t, z! * hp! + (1 - z!) * t];
      },
    },
    lstm_fwd: {
      inputs: 9,
      ref: ([xi, xf, xg, xo, ri, rf, rg, ro, cp]) => {
        const [i, f, g, o] = [
          sigmoid(xi! + ri!),
          sigmoid(xf! + rf!),
          Math.tanh(xg! + rg!),
          sigmoid(xo! + ro!),
        ];
        const c = f * cp! + i * g;
        return [i, f, g, o, c, Math.tanh(c), o * Math.tanh(c)];
      },
    },
    gru_after_fwd: {
      inputs: 10,
      ref: ([xz, xr, xh, rz, rr, rh, bz, br, bh, hp]) => {
        const [z, r, hr] = [sigmoid(xz! + rz! + bz!), sigmoid(xr! + rr! + br!), rh! + bh!];
        const hh = Math.tanh(xh! + r * hr);
        return [z, r, hh, hr, z * hp! + (1 - z) * hh];
      },
    },
    mingru_fwd: {
      inputs: 2,
      ref: ([xz, xh]) => {
        const z = sigmoid(xz!);
        return [z, cand(xh!), 1 - z, z * cand(xh!)];
      },
    },
    mingru_coef: { inputs: 1, range: [0.01, 0.99], ref: ([z]) => [1 - z!] },
    minlstm_fwd: {
      inputs: 3,
      ref: ([xi, xf, xh]) => {
        const [i, f] = [sigmoid(xi!), sigmoid(xf!)];
        return [i, f, cand(xh!), f / (f + i), (i / (f + i)) * cand(xh!)];
      },
    },
    minlstm_coef: { inputs: 2, range: [0.01, 0.99], ref: ([i, f]) => [f! / (f! + i!)] },
    madd: { inputs: 3, ref: ([a, x, b]) => [a! * x! + b!] },
    madd_mul: { inputs: 4, ref: ([a, x, b, q]) => [a! * x! + b!, a! * q!] },
  };

  /**
   * A backward kernel: `params` random values p, the kernel's inputs from them, a loss L(p) from the forward
   * equations, and per output the p it is ∂L/∂ of (null: the output is 0).
   */
  interface BackwardCase {
    readonly params: number;
    readonly inputs: (p: readonly number[]) => number[];
    readonly loss: (p: readonly number[]) => number;
    readonly grads: readonly (number | null)[];
  }
  const backward: Partial<Record<GateKernelName, BackwardCase>> = {
    // p = ai, af, ag, ao, c_prev, g = ∂L/∂h, dc = ∂L/∂c; L = g·h + dc·c
    lstm_bwd: {
      params: 7,
      inputs: ([ai, af, ag, ao, cp, g, dc]) => {
        const c = sigmoid(af!) * cp! + sigmoid(ai!) * Math.tanh(ag!);
        return [g!, dc!, sigmoid(ai!), sigmoid(af!), Math.tanh(ag!), sigmoid(ao!), Math.tanh(c), cp!];
      },
      loss: ([ai, af, ag, ao, cp, g, dc]) => {
        const c = sigmoid(af!) * cp! + sigmoid(ai!) * Math.tanh(ag!);
        return g! * sigmoid(ao!) * Math.tanh(c) + dc! * c;
      },
      grads: [null, 4, 0, 1, 2, 3],
    },
    // p = a, g; h = tanh a
    rnn_bwd: {
      params: 2,
      inputs: ([a, g]) => [g!, Math.tanh(a!)],
      loss: ([a, g]) => g! * Math.tanh(a!),
      grads: [null, 0],
    },
    // p = az, aĥ, h_prev, g; h = z ⊙ h_prev + (1 − z) ⊙ tanh aĥ
    gru_bwd_zh: {
      params: 4,
      inputs: ([az, ah, hp, g]) => [g!, sigmoid(az!), Math.tanh(ah!), hp!],
      loss: ([az, ah, hp, g]) => g! * (sigmoid(az!) * hp! + (1 - sigmoid(az!)) * Math.tanh(ah!)),
      grads: [2, 0, 1],
    },
    // p = az, ar, aĥ (its input part), hr = h_in·U_h + b_hh, h_prev, g; h = z ⊙ h_prev + (1 − z) ⊙ tanh(aĥ + r ⊙ hr).
    // Outputs dh, then dA z|r|ĥ (ĥ: ∂L/∂aĥ), then dRec z|r|ĥ (ĥ: ∂L/∂hr = ∂L/∂aĥ ⊙ r).
    gru_after_bwd: {
      params: 6,
      inputs: ([az, ar, ah, hr, hp, g]) => {
        const hh = Math.tanh(ah! + sigmoid(ar!) * hr!);
        return [g!, sigmoid(az!), sigmoid(ar!), hh, hr!, hp!];
      },
      loss: ([az, ar, ah, hr, hp, g]) => {
        const z = sigmoid(az!);
        return g! * (z * hp! + (1 - z) * Math.tanh(ah! + sigmoid(ar!) * hr!));
      },
      grads: [4, 0, 1, 2, 0, 1, 3],
    },
    // p = ar, h_in, d = ∂L/∂(r ⊙ h_in)
    gru_bwd_r: {
      params: 3,
      inputs: ([ar, hin, d]) => [d!, sigmoid(ar!), hin!],
      loss: ([ar, hin, d]) => d! * sigmoid(ar!) * hin!,
      grads: [0, 1],
    },
    // p = az, aĥ, h_prev, g; h = (1 − z) ⊙ h_prev + z ⊙ g(aĥ)
    mingru_bwd: {
      params: 4,
      inputs: ([az, ah, hp, g]) => [g!, hp!, sigmoid(az!), cand(ah!)],
      loss: ([az, ah, hp, g]) => g! * ((1 - sigmoid(az!)) * hp! + sigmoid(az!) * cand(ah!)),
      grads: [0, 1],
    },
    // p = ai, af, aĥ, h_prev, g; h = f/(f + i) ⊙ h_prev + i/(f + i) ⊙ g(aĥ)
    minlstm_bwd: {
      params: 5,
      inputs: ([ai, af, ah, hp, g]) => [g!, hp!, sigmoid(ai!), sigmoid(af!), cand(ah!)],
      loss: ([ai, af, ah, hp, g]) => {
        const [i, f] = [sigmoid(ai!), sigmoid(af!)];
        return g! * ((f / (f + i)) * hp! + (i / (f + i)) * cand(ah!));
      },
      grads: [0, 1, 2],
    },
  };

  /**
   * Runs kernel `name` with `outputs` outputs on inputs [rows, cols] (`input(k, i, j)`), every operand at its own
   * offset with row stride cols + 3; returns output k at (i, j), and checks the kernel left column cols4 on alone.
   */
  function runKernel(
    name: GateKernelName,
    outputs: number,
    inputs: number,
    input: (k: number, i: number, j: number) => number,
  ): (k: number, i: number, j: number) => number {
    setKernels('wasm');
    const ld = COLS + 3;
    const buffers = Array.from({ length: outputs + inputs }, () =>
      allocFloat32(ROWS * ld + outputs + inputs),
    );
    buffers.forEach((v, k) => {
      v.fill(7);
      if (k >= outputs)
        for (let i = 0; i < ROWS; i++)
          for (let j = 0; j < COLS; j++) v[k + i * ld + j] = input(k - outputs, i, j);
    });
    const kernel = bindGateKernel(
      name,
      buffers.map((v, k) => operand(v, k, ld)),
      ROWS,
      COLS,
    );
    expect(kernelColumns(kernel)).toBe(COLS & ~3);
    kernel!.run();
    for (let k = 0; k < outputs; k++)
      expect(buffers[k]![k + (COLS & ~3)], `${name} output ${k} tail`).toBe(7);
    return (k, i, j) => buffers[k]![k + i * ld + j]!;
  }
  const ROWS = 3;
  const COLS = 18;

  for (const [name, c] of Object.entries(forward) as [GateKernelName, ForwardCase][]) {
    it(`${name} matches its equations in Float64 within 1e-6 (relative)`, () => {
      const rng = new Rng(11);
      const [lo, hi] = c.range ?? [-4, 4];
      const x = Array.from({ length: c.inputs * ROWS * COLS }, () => Math.fround(rng.uniform(lo, hi)));
      const at = (k: number, i: number, j: number) => x[(k * ROWS + i) * COLS + j]!;
      const outputs = c.ref(Array.from({ length: c.inputs }, () => 0)).length;
      const got = runKernel(name, outputs, c.inputs, at);
      for (let i = 0; i < ROWS; i++) {
        for (let j = 0; j < (COLS & ~3); j++) {
          const want = c.ref(Array.from({ length: c.inputs }, (_, k) => at(k, i, j)));
          want.forEach((w, k) => {
            expect(Math.abs(got(k, i, j) - w), `${name} output ${k}`).toBeLessThan(1e-6 * (1 + Math.abs(w)));
          });
        }
      }
    });
  }

  for (const [name, c] of Object.entries(backward) as [GateKernelName, BackwardCase][]) {
    it(`${name} matches central differences of the forward equations (Float64) within 2e-5`, () => {
      const rng = new Rng(12);
      const p = Array.from({ length: ROWS * COLS }, () =>
        Array.from({ length: c.params }, () => rng.uniform(-3, 3)),
      );
      const ins = p.map((q) => c.inputs(q).map(Math.fround));
      const got = runKernel(name, c.grads.length, ins[0]!.length, (k, i, j) => ins[i * COLS + j]![k]!);
      const eps = 1e-6;
      for (let i = 0; i < ROWS; i++) {
        for (let j = 0; j < (COLS & ~3); j++) {
          const q = p[i * COLS + j]!;
          c.grads.forEach((at, k) => {
            let want = 0;
            if (at !== null) {
              const up = q.slice();
              const down = q.slice();
              up[at]! += eps;
              down[at]! -= eps;
              want = (c.loss(up) - c.loss(down)) / (2 * eps);
            }
            expect(Math.abs(got(k, i, j) - want), `${name} output ${k}`).toBeLessThan(
              2e-5 * (1 + Math.abs(want)),
            );
          });
        }
      }
    });
  }
});

describe('the two kernel paths agree on whole networks', () => {
  afterEach(() => {
    setKernels('auto');
  });

  const base = { timeSteps: 7, features: 6, classes: 5 };
  // Each network as its layers; `base` gives the shapes.
  const networks: Record<string, ModelSpec['layers']> = {
    'stacked GRU → bidirectional GRU(resetAfter) → LSTM': [
      { cell: 'gru', units: 14 },
      { cell: 'gru', units: 9, resetAfter: true, bidirectional: true },
      { cell: 'lstm', units: 5 },
    ],
    // Layers narrower than one SIMD vector (units < 4) and the go-backwards order: the gate kernels
    // decline such widths and the TypeScript loops must take over every part of the step.
    'narrow goBackwards GRUs (units 3 and 2)': [
      { cell: 'gru', units: 3, goBackwards: true },
      { cell: 'gru', units: 2 },
    ],
    // The LSTM, SimpleRNN and minimal-cell kernels, with a column tail (units 6 and 5) and by input time.
    'LSTM (goBackwards) → SimpleRNN → LSTM, units 8, 6, 5': [
      { cell: 'lstm', units: 8, goBackwards: true },
      { cell: 'simpleRnn', units: 6 },
      { cell: 'lstm', units: 5 },
    ],
    'minGRU (goBackwards) → bidirectional minLSTM → minGRU, units 8, 5, 6': [
      { cell: 'mingru', units: 8, goBackwards: true },
      { cell: 'minlstm', units: 5, bidirectional: true },
      { cell: 'mingru', units: 6 },
    ],
    'narrow GRU(resetAfter) and SimpleRNN': [
      { cell: 'gru', units: 3, resetAfter: true },
      { cell: 'simpleRnn', units: 5, goBackwards: true },
    ],
  };
  const specs = Object.fromEntries(
    Object.entries(networks).map(([name, layers]) => [name, { ...base, layers }]),
  );

  it.each(Object.entries(specs))(
    '%s: probabilities, loss and gradients of a Float32 network match within 1e-5',
    (_, spec) => {
      const rng = new Rng(8);
      const B = 11;
      const x = Float32Array.from({ length: B * 7 * 6 }, () => rng.uniform(-1, 1));
      const y = Int32Array.from({ length: B }, () => rng.int(5));
      const run = (kernels: 'js' | 'wasm') => {
        setKernels(kernels);
        const net = new MathNetwork(spec, { seed: 3 });
        const probs = net.predictSync(x, B);
        const { loss, gradients } = net.computeGradients(x, y, B);
        return { probs, loss, gradients };
      };
      const js = run('js');
      const wasm = run('wasm');
      let worst = 0;
      for (let i = 0; i < js.probs.length; i++)
        worst = Math.max(worst, Math.abs(js.probs[i]! - wasm.probs[i]!));
      expect(worst).toBeLessThan(1e-5);
      expect(Math.abs(js.loss - wasm.loss)).toBeLessThan(1e-5 * Math.abs(js.loss));
      js.gradients.forEach((g, k) => {
        const w = wasm.gradients[k]!;
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < g.values.length; i++) {
          scale = Math.max(scale, Math.abs(g.values[i]!));
          diff = Math.max(diff, Math.abs(g.values[i]! - w.values[i]!));
        }
        expect(diff, g.name).toBeLessThan(1e-5 * scale + 1e-7);
      });
    },
  );
});
