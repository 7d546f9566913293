// The two builds of the WebAssembly GEMM: plain SIMD (mul, then add) and relaxed SIMD (f32x4.relaxed_madd).
// Each is checked against a float64 product (f32 error ≤ 1e-6 relative to Σ|a·b|) and for bit-identical
// results from run to run. On runtimes without relaxed SIMD (Node 20 without
// --experimental-wasm-relaxed-simd) the 'relaxed' suite checks that the plain build is the one used;
// scripts/test-node24.sh runs this file on Node 24, where relaxed SIMD is on by default.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  EDGE_SHAPES,
  GRU_SHAPES,
  gemmForms,
  referenceProduct,
  worstRelativeError,
} from '../__fixtures__/gemm-cases';
import { allocFloat } from '../cells/workspace';
import { gemmNN } from '../gemm';
import { MathNetwork } from '../math-network';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { Code, emitModule, I32 } from './emitter';
import { kernelModuleBytes } from './gemm-module';
import { setKernels, setRelaxedSimd, wasmGemmFlavor, wasmRelaxedSimdSupported } from './runtime';

/** A module whose only function runs one f32x4.relaxed_madd on memory: m[0:4] = m[0:4]·m[4:8] + m[8:12]. */
function relaxedMaddModule(): Uint8Array<ArrayBuffer> {
  const f = new Code([I32]);
  f.get(0).get(0).v128Load(0).get(0).v128Load(16).get(0).v128Load(32).f32x4RelaxedMadd().v128Store(0);
  return emitModule({ minPages: 1 }, [{ name: 'madd', results: [], code: f }]);
}

const nodeMajor = Number(process.versions.node.split('.')[0]);
const relaxedFlag = process.execArgv.includes('--experimental-wasm-relaxed-simd');

describe('relaxed SIMD detection', () => {
  it('agrees with the runtime: validated by a one-instruction module, on by default from Node 22', () => {
    const probe = WebAssembly.validate(relaxedMaddModule());
    expect(wasmRelaxedSimdSupported()).toBe(probe);
    expect(WebAssembly.validate(kernelModuleBytes(undefined, 'relaxed'))).toBe(probe);
    // The plain build validates everywhere the math engine runs its WASM kernels.
    expect(WebAssembly.validate(kernelModuleBytes())).toBe(true);
    if (nodeMajor >= 22 || relaxedFlag) expect(probe).toBe(true);
    if (nodeMajor === 20 && !relaxedFlag) expect(probe).toBe(false);
  });

  it('f32x4.relaxed_madd gives a·b + c fused or unfused, the same on every lane and every call', async () => {
    const bytes = relaxedMaddModule();
    if (!WebAssembly.validate(bytes)) {
      expect(wasmGemmFlavor()).toBe('simd');
      return;
    }
    const memory = new WebAssembly.Memory({ initial: 1 });
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { memory } });
    const madd = instance.exports.madd as (p: number) => void;
    const heap = new Float32Array(memory.buffer);
    // a·b = 1 + 2⁻¹¹ + 2⁻²⁴ needs 25 bits: unfused, it rounds to 1 + 2⁻¹¹ before c = −1 is added.
    const a = 1 + 2 ** -12;
    const b = 1 + 2 ** -12;
    const fused = Math.fround(a * b - 1);
    const unfused = Math.fround(Math.fround(a * b) - 1);
    expect(fused).not.toBe(unfused);
    const results = new Set<number>();
    for (let call = 0; call < 3; call++) {
      heap.set([a, a, a, a, b, b, b, b, -1, -1, -1, -1], 0);
      madd(0);
      for (let lane = 0; lane < 4; lane++) results.add(heap[lane]!);
    }
    expect(results.size).toBe(1);
    expect([fused, unfused]).toContain([...results][0]);
  });
});

/** How many elements of `x` and `y` (same length) differ in their bits. */
function bitDifferences(x: Float32Array, y: Float32Array): number {
  expect(x.length).toBe(y.length);
  const xb = new Uint32Array(x.buffer, x.byteOffset, x.length);
  const yb = new Uint32Array(y.buffer, y.byteOffset, y.length);
  let n = 0;
  for (let i = 0; i < xb.length; i++) if (xb[i] !== yb[i]) n++;
  return n;
}

for (const flavor of ['simd', 'relaxed'] as const) {
  describe(`WebAssembly GEMM, ${flavor === 'relaxed' ? 'relaxed SIMD where available' : 'plain SIMD'}`, () => {
    beforeAll(() => {
      setKernels('wasm');
      setRelaxedSimd(flavor === 'relaxed');
    });
    afterAll(() => {
      setRelaxedSimd(true);
      setKernels('auto');
    });

    it('uses the build asked for', () => {
      expect(wasmGemmFlavor()).toBe(flavor === 'relaxed' && wasmRelaxedSimdSupported() ? 'relaxed' : 'simd');
    });

    for (const [M, N, K] of [...GRU_SHAPES, ...EDGE_SHAPES]) {
      it(`NN, TN, NT within 1e-6 of the float64 product (relative to Σ|a·b|), bit-identical when repeated: M=${M} N=${N} K=${K}`, () => {
        const rng = new Rng(M * 131 + N * 7 + K);
        const fill = (x: Float32Array) => {
          for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
          return x;
        };
        // Operands in the core's allocator (in the WASM arena when shared memory exists: products in place).
        const a = fill(allocFloat('float32', M * K) as Float32Array);
        const b = fill(allocFloat('float32', K * N) as Float32Array);
        const at = allocFloat('float32', K * M) as Float32Array;
        const bt = allocFloat('float32', N * K) as Float32Array;
        const runs = gemmForms([M, N, K], [a, 0, K], [b, 0, N], [at, 0], [bt, 0], 0, N);
        const c0 = fill(new Float32Array(M * N));
        for (const beta of [0, 1] as const) {
          const ref = referenceProduct(M, N, K, [a, 0, K], [b, 0, N], [c0, 0, N], beta);
          for (const [name, run] of runs) {
            const first = allocFloat('float32', M * N) as Float32Array;
            first.set(c0);
            run(first, beta);
            expect(worstRelativeError(first, ref), `${name} beta=${beta}`).toBeLessThanOrEqual(1e-6);
            const again = new Float32Array(M * N);
            again.set(c0);
            run(again, beta);
            expect(bitDifferences(again, first), `${name} beta=${beta}`).toBe(0);
          }
        }
      });
    }

    // M=5, N=13: a 4×8 tile, a 4×4 tile and one scalar column for rows 0–3, the same for row 4;
    // M=3, N=45: 3×12 tiles, an 8-column tile and one scalar column.
    it.each([
      [5, 13],
      [3, 45],
    ])(
      'rounds exactly as its instructions say: mul then add, or one fused multiply-add per k (M=%i N=%i)',
      (M, N) => {
        const K = 40;
        const rng = new Rng(11);
        const a = Float32Array.from({ length: M * K }, () => rng.uniform(-1, 1));
        const b = Float32Array.from({ length: K * N }, () => rng.uniform(-1, 1));
        const c0 = Float32Array.from({ length: M * N }, () => rng.uniform(-1, 1));
        // Sequential over k from 0, then added to C when beta = 1; a·b is exact in float64.
        const emulate = (fused: boolean, beta: 0 | 1): Float32Array => {
          const out = new Float32Array(M * N);
          for (let i = 0; i < M; i++) {
            for (let j = 0; j < N; j++) {
              // Every column but the last N mod 4 is in a vector tile.
              const vector = j < (N & ~3) && fused;
              let acc = 0;
              for (let k = 0; k < K; k++) {
                const p = a[i * K + k]! * b[k * N + j]!;
                acc = vector ? Math.fround(p + acc) : Math.fround(Math.fround(p) + acc);
              }
              out[i * N + j] = beta === 1 ? Math.fround(c0[i * N + j]! + acc) : acc;
            }
          }
          return out;
        };
        for (const beta of [0, 1] as const) {
          const c = Float32Array.from(c0);
          gemmNN(c, 0, N, a, 0, K, b, 0, N, M, N, K, beta);
          const unfused = bitDifferences(c, emulate(false, beta));
          const fused = bitDifferences(c, emulate(true, beta));
          if (wasmGemmFlavor() === 'simd') expect(unfused, `beta=${beta}`).toBe(0);
          // Relaxed: fused where the CPU has FMA (then the two emulations differ), else unfused.
          else expect(Math.min(unfused, fused), `beta=${beta}`).toBe(0);
        }
      },
    );

    it('trains GRU-16 to the same bits twice, the kernels compiled anew in between', () => {
      const spec: ModelSpec = { timeSteps: 6, features: 5, classes: 3, layers: [{ cell: 'gru', units: 16 }] };
      const rng = new Rng(3);
      const batch = 9;
      const x = Float32Array.from({ length: batch * 6 * 5 }, () => rng.uniform(-1, 1));
      const y = Int32Array.from({ length: batch }, () => rng.int(3));
      const train = (): Float32Array[] => {
        const net = new MathNetwork(spec, { seed: 5, optimizer: { type: 'adam', learningRate: 1e-2 } });
        for (let step = 0; step < 4; step++) net.trainBatchSync(x, y, batch);
        const weights = net.getWeights().map((w) => Float32Array.from(w.values));
        net.dispose();
        return weights;
      };
      const first = train();
      // Drop the compiled module: the next product compiles and instantiates this build again.
      setRelaxedSimd(flavor !== 'relaxed');
      setRelaxedSimd(flavor === 'relaxed');
      const second = train();
      expect(second.length).toBe(first.length);
      for (let w = 0; w < first.length; w++)
        expect(bitDifferences(second[w]!, first[w]!), `weight ${w}`).toBe(0);
    });
  });
}
