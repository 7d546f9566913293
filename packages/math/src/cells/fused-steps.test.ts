// The forward time loop as one WebAssembly call (fused-steps.ts, wasm/step-program.ts), in both GEMM builds:
// the recorded program gives the bits of the step-by-step loop, batch 1 gives the bits of that sample in a
// batch, the GRU (both reset forms) matches a literal Float64 GRU written from its equations, and the
// program is replayed only on the weights and buffers it was recorded on. Units that are not a multiple of 4
// leave a column tail to TypeScript: those cells loop step by step (no program), with the same results.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { literalGru } from '../__fixtures__/gru-reference';
import { MathNetwork } from '../math-network';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { setKernels, setRelaxedSimd, wasmGemmFlavor, wasmRelaxedSimdSupported } from '../wasm/runtime';
import { hasStepProgram, setStepPrograms } from './fused-steps';
import { recurrentForward } from './sequence';
import { allocFloat, type RecurrentCellConfig, type RecurrentParams, RecurrentWorkspace } from './workspace';

const [T, I] = [7, 5];

interface Case {
  readonly name: string;
  readonly cell: 'gru' | 'lstm' | 'simpleRnn';
  readonly resetAfter: boolean;
  readonly goBackwards: boolean;
}

const CASES: Case[] = [
  { name: 'GRU', cell: 'gru', resetAfter: false, goBackwards: false },
  { name: 'GRU resetAfter', cell: 'gru', resetAfter: true, goBackwards: false },
  { name: 'GRU goBackwards', cell: 'gru', resetAfter: false, goBackwards: true },
  { name: 'GRU resetAfter goBackwards', cell: 'gru', resetAfter: true, goBackwards: true },
  { name: 'LSTM', cell: 'lstm', resetAfter: false, goBackwards: false },
  { name: 'SimpleRNN goBackwards', cell: 'simpleRnn', resetAfter: false, goBackwards: true },
];

/** 128 (the benchmark), 12 and 20 (tiles of 48, 8 and 4 columns in the products), 6 (a column tail). */
const UNITS = [128, 12, 20, 6];

const gates = (cell: RecurrentCellConfig['cell']): number => (cell === 'lstm' ? 4 : cell === 'gru' ? 3 : 1);

/** A layer of `u` units with random weights in the kernel arena, and a random time-major input [T,B,I]. */
function layer(c: Case, u: number, B: number, seed: number) {
  const rng = new Rng(seed);
  const G = gates(c.cell) * u;
  const fill = (n: number, s: number): Float32Array => {
    const v = allocFloat('float32', n) as Float32Array;
    for (let i = 0; i < n; i++) v[i] = rng.uniform(-s, s);
    return v;
  };
  const config: RecurrentCellConfig = {
    cell: c.cell,
    units: u,
    inputSize: I,
    resetAfter: c.resetAfter,
    recurrentActivation: 'sigmoid',
    goBackwards: c.goBackwards,
  };
  const params: RecurrentParams = {
    kernel: fill(I * G, 0.6),
    recurrentKernel: fill(u * G, 1.5 / Math.sqrt(u)),
    bias: fill((c.resetAfter ? 2 : 1) * G, 0.3),
  };
  return { config, params, x: fill(T * B * I, 1) };
}

/** Runs the layer on a fresh workspace (or `ws`); returns copies of every forward buffer. */
function forward(
  config: RecurrentCellConfig,
  params: RecurrentParams,
  x: Float32Array,
  B: number,
  ws = new RecurrentWorkspace(config, T, 'float32'),
) {
  recurrentForward(ws, x, params, B, null, null);
  const u = config.units;
  const G = gates(config.cell) * u;
  const copy = (v: ArrayLike<number>, n: number): Float32Array =>
    Float32Array.from({ length: n }, (_, i) => v[i]!);
  return {
    ws,
    hs: copy(ws.hs, (T + 1) * B * u),
    act: config.cell === 'simpleRnn' ? new Float32Array(0) : copy(ws.act, T * B * G),
    aux: config.cell === 'simpleRnn' ? new Float32Array(0) : copy(ws.aux, T * B * u),
    cs: config.cell === 'lstm' ? copy(ws.cs, (T + 1) * B * u) : new Float32Array(0),
  };
}

/** Whether two Float32 arrays hold the same bits. */
function sameBits(a: Float32Array, b: Float32Array): boolean {
  if (a.length !== b.length) return false;
  const x = new Uint32Array(a.buffer, a.byteOffset, a.length);
  const y = new Uint32Array(b.buffer, b.byteOffset, b.length);
  return x.every((v, i) => v === y[i]);
}

type Buffers = ReturnType<typeof forward>;
function expectSameBits(got: Buffers, want: Buffers): void {
  for (const k of ['hs', 'act', 'aux', 'cs'] as const) expect(sameBits(got[k], want[k]), k).toBe(true);
}

for (const flavor of ['simd', 'relaxed'] as const) {
  describe(`step programs, ${flavor === 'relaxed' ? 'relaxed SIMD where available' : 'plain SIMD'}`, () => {
    beforeAll(() => {
      setKernels('wasm');
      setRelaxedSimd(flavor === 'relaxed');
    });
    afterAll(() => {
      setStepPrograms(true);
      setRelaxedSimd(true);
      setKernels('auto');
    });

    it('uses the build asked for', () => {
      expect(wasmGemmFlavor()).toBe(flavor === 'relaxed' && wasmRelaxedSimdSupported() ? 'relaxed' : 'simd');
    });

    for (const c of CASES) {
      for (const u of UNITS) {
        it(`${c.name}, ${u} units: the program's bits are the step loop's, batch 1 the batch's, the same when repeated`, () => {
          const B = 3;
          const { config, params, x } = layer(c, u, B, 100 + u);
          setStepPrograms(false);
          const loop = forward(config, params, x, B);
          expect(hasStepProgram(loop.ws)).toBe(false);
          setStepPrograms(true);
          const first = forward(config, params, x, B);
          // Every column is done by the gate kernels when u is a multiple of 4: then the loop is a program.
          expect(hasStepProgram(first.ws)).toBe(u % 4 === 0);
          expectSameBits(first, loop);
          // Replayed on the same workspace: the same bits again.
          expectSameBits(forward(config, params, x, B, first.ws), loop);
          // Batch 1 (the one-image path: GEMV row panels) gives each sample's bits in the batch of 3.
          const ws1 = new RecurrentWorkspace(config, T, 'float32');
          for (let b = 0; b < B; b++) {
            const xb = allocFloat('float32', T * I) as Float32Array;
            for (let t = 0; t < T; t++) for (let i = 0; i < I; i++) xb[t * I + i] = x[(t * B + b) * I + i]!;
            const one = forward(config, params, xb, 1, ws1);
            expect(hasStepProgram(ws1)).toBe(u % 4 === 0);
            const rows = (v: Float32Array, width: number): Float32Array => {
              const out = new Float32Array(v.length / B);
              for (let s = 0; s < out.length / width; s++)
                out.set(v.subarray((s * B + b) * width, (s * B + b + 1) * width), s * width);
              return out;
            };
            const G = gates(c.cell) * u;
            expect(sameBits(one.hs, rows(loop.hs, u)), `hs of sample ${b}`).toBe(true);
            if (c.cell !== 'simpleRnn') expect(sameBits(one.act, rows(loop.act, G)), `act ${b}`).toBe(true);
            if (c.cell === 'lstm') expect(sameBits(one.cs, rows(loop.cs, u)), `cs ${b}`).toBe(true);
          }
        });
      }
    }

    for (const resetAfter of [false, true]) {
      for (const u of UNITS) {
        it(`GRU resetAfter ${resetAfter}, ${u} units, batch 1 and 3: within 1e-6 of a literal Float64 GRU`, () => {
          const sigma = (a: number): number => 1 / (1 + Math.exp(-a));
          for (const B of [1, 3]) {
            const c = { name: 'GRU', cell: 'gru', resetAfter, goBackwards: false } as const;
            const { config, params, x } = layer(c, u, B, 7 * u + B);
            const { hs, ws } = forward(config, params, x, B);
            expect(hasStepProgram(ws)).toBe(u % 4 === 0);
            const xb = new Float64Array(B * T * I);
            for (let b = 0; b < B; b++)
              for (let t = 0; t < T; t++)
                for (let i = 0; i < I; i++) xb[(b * T + t) * I + i] = x[(t * B + b) * I + i]!;
            const want = literalGru(xb, B, T, I, u, params, { resetAfter, gate: sigma });
            let worst = 0;
            for (let b = 0; b < B; b++)
              for (let t = 0; t < T; t++)
                for (let j = 0; j < u; j++) {
                  const got = hs[((t + 1) * B + b) * u + j]!;
                  const ref = want[(b * T + t) * u + j]!;
                  worst = Math.max(worst, Math.abs(got - ref) / Math.max(1, Math.abs(ref)));
                }
            expect(worst).toBeLessThanOrEqual(1e-6);
          }
        });
      }
    }

    it('predictInto one image gives the bits of that image in predictSync of a batch, call after call (stacked, bidirectional, both GRU forms, LSTM)', () => {
      const spec: ModelSpec = {
        timeSteps: 9,
        features: 5,
        classes: 4,
        layers: [
          { cell: 'gru', units: 16, bidirectional: true },
          { cell: 'lstm', units: 8 },
          { cell: 'gru', units: 12, resetAfter: true },
        ],
      };
      const net = new MathNetwork(spec, { seed: 3 });
      const rng = new Rng(8);
      const B = 4;
      const x = Float32Array.from({ length: B * 9 * 5 }, () => rng.uniform(-1, 1));
      const batch = net.predictSync(x, B);
      const out = new Float32Array(4);
      for (let call = 0; call < 2; call++) {
        for (let b = 0; b < B; b++) {
          net.predictInto(x.subarray(b * 45, (b + 1) * 45), 1, out);
          expect(sameBits(out, batch.subarray(b * 4, (b + 1) * 4)), `image ${b}, call ${call}`).toBe(true);
        }
      }
      net.dispose();
    });

    it('replays on the weights as they are now, records anew for another batch size, and not with a recurrent mask', () => {
      const c = CASES[1]!;
      const u = 12;
      const { config, params, x } = layer(c, u, 2, 5);
      const ws = new RecurrentWorkspace(config, T, 'float32');
      forward(config, params, x, 2, ws);
      expect(hasStepProgram(ws)).toBe(true);
      // Weights changed in place (an optimizer step): the replay reads them, as the step loop does.
      for (let i = 0; i < params.recurrentKernel.length; i++) params.recurrentKernel[i]! *= -0.5;
      for (let i = 0; i < params.bias.length; i++) params.bias[i]! += 0.25;
      const replayed = forward(config, params, x, 2, ws);
      setStepPrograms(false);
      const loop = forward(config, params, x, 2);
      setStepPrograms(true);
      expectSameBits(replayed, loop);
      expect(
        sameBits(replayed.hs, forward(config, params, x, 2, new RecurrentWorkspace(config, T, 'float32')).hs),
      ).toBe(true);
      // Batch 1 on the workspace of a batch of 2: a program for the batch of 1, the first sample's bits.
      const x1 = allocFloat('float32', T * I) as Float32Array;
      for (let t = 0; t < T; t++) for (let i = 0; i < I; i++) x1[t * I + i] = x[t * 2 * I + i]!;
      const one = forward(config, params, x1, 1, ws);
      for (let s = 0; s <= T; s++)
        expect(
          sameBits(one.hs.subarray(s * u, (s + 1) * u), loop.hs.subarray(s * 2 * u, s * 2 * u + u)),
        ).toBe(true);
      // A recurrent dropout mask: the step loop (masks are applied between steps), not the program.
      const masked = new RecurrentWorkspace(config, T, 'float32');
      masked.ensureCapacity(2);
      const mask = allocFloat('float32', 2 * u) as Float32Array;
      mask.fill(2);
      masked.recurrentMask = mask;
      recurrentForward(masked, x, params, 2, null, null);
      expect(hasStepProgram(masked)).toBe(false);
    });
  });
}
