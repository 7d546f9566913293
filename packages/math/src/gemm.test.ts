import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EDGE_SHAPES, gemmForms, referenceProduct, worstRelativeError } from './__fixtures__/gemm-cases';
import { allocFloat } from './cells/workspace';
import type { FloatArray } from './float-array';
import { gemmNN, gemmNT, gemmTN, matmul, transpose } from './gemm';
import { Rng } from './rng';
import { setKernels } from './wasm/runtime';

function random(rng: Rng, n: number): Float64Array {
  return Float64Array.from({ length: n }, () => rng.uniform(-1, 1));
}

// Extracts C[M,N] from a buffer with offset and leading dimension.
function extract(c: FloatArray, off: number, ld: number, M: number, N: number): number[] {
  const out: number[] = [];
  for (let i = 0; i < M; i++) for (let j = 0; j < N; j++) out.push(c[off + i * ld + j]!);
  return out;
}

describe('gemm', () => {
  for (const [M, N, K] of EDGE_SHAPES) {
    for (const beta of [0, 1] as const) {
      it(`NN, TN and NT agree with the naive product for M=${M} N=${N} K=${K} beta=${beta}`, () => {
        const rng = new Rng(M * 1000 + N * 10 + K);
        // Operands embedded in larger buffers with offsets and padded leading dimensions.
        const lda = K + 3;
        const ldb = N + 2;
        const ldc = N + 5;
        const aOff = 7;
        const bOff = 3;
        const cOff = 11;
        const a = random(rng, aOff + M * lda);
        const b = random(rng, bOff + K * ldb);
        const c0 = random(rng, cOff + M * ldc);
        const { value: expected } = referenceProduct(
          M,
          N,
          K,
          [a, aOff, lda],
          [b, bOff, ldb],
          [c0, cOff, ldc],
          beta,
        );

        const cNN = Float64Array.from(c0);
        gemmNN(cNN, cOff, ldc, a, aOff, lda, b, bOff, ldb, M, N, K, beta);
        expect(maxDiff(extract(cNN, cOff, ldc, M, N), expected)).toBeLessThan(1e-12);
        // Padding outside C stays untouched.
        expect(cNN[cOff - 1]).toBe(c0[cOff - 1]);

        // Aᵀ stored as [K, M].
        const at = new Float64Array(K * M);
        for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) at[k * M + i] = a[aOff + i * lda + k]!;
        const cTN = Float64Array.from(c0);
        gemmTN(cTN, cOff, ldc, at, 0, M, b, bOff, ldb, M, N, K, beta);
        expect(maxDiff(extract(cTN, cOff, ldc, M, N), expected)).toBeLessThan(1e-12);

        // Bᵀ stored as [N, K].
        const bt = new Float64Array(N * K);
        for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bt[j * K + k] = b[bOff + k * ldb + j]!;
        const cNT = Float64Array.from(c0);
        gemmNT(cNT, cOff, ldc, a, aOff, lda, bt, 0, K, M, N, K, beta);
        expect(maxDiff(extract(cNT, cOff, ldc, M, N), expected)).toBeLessThan(1e-12);
      });
    }
  }

  it('runs on Float32Array with float32 rounding only', () => {
    const rng = new Rng(5);
    const M = 9;
    const K = 33;
    const N = 10;
    const a = Float32Array.from(random(rng, M * K));
    const b = Float32Array.from(random(rng, K * N));
    const c = new Float32Array(M * N);
    matmul(c, a, b, M, K, N);
    const { value: expected } = referenceProduct(M, N, K, [a, 0, K], [b, 0, N], [c, 0, N], 0);
    expect(maxDiff(Array.from(c), expected)).toBeLessThan(1e-5);
  });

  it('transposes', () => {
    const out = new Float64Array(6);
    transpose(out, Float64Array.of(1, 2, 3, 4, 5, 6), 2, 3);
    expect(Array.from(out)).toEqual([1, 4, 2, 5, 3, 6]);
  });
});

function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  expect(a.length).toBe(b.length);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

// One suite for both Float32 paths. Operands either live in ordinary arrays (the WASM path copies them
// into its memory) or are allocated by the core's allocator (in the WASM arena: products run in place).
for (const kernels of ['js', 'wasm'] as const) {
  describe(`Float32 gemm on the ${kernels} kernels`, () => {
    beforeAll(() => {
      setKernels(kernels);
    });
    afterAll(() => {
      setKernels('auto');
    });

    const rng = new Rng(77);
    // Edge sizes around every tile, plus random ones.
    const cases = [...EDGE_SHAPES];
    for (let r = 0; r < 6; r++) cases.push([1 + rng.int(19), 1 + rng.int(41), 1 + rng.int(60)]);

    for (const [M, N, K] of cases) {
      for (const alloc of ['plain', 'core'] as const) {
        it(`NN, TN, NT match the Float64 product within 1e-5 relative: M=${M} N=${N} K=${K}, ${alloc} buffers`, () => {
          const local = new Rng(M * 7919 + N * 31 + K);
          const make = (n: number): Float32Array => {
            const out = alloc === 'core' ? (allocFloat('float32', n) as Float32Array) : new Float32Array(n);
            for (let i = 0; i < n; i++) out[i] = local.uniform(-1, 1);
            return out;
          };
          const lda = K + 2;
          const ldb = N + 3;
          const ldc = N + 1;
          const a = make(5 + M * lda);
          const b = make(2 + K * ldb);
          const at = make(1 + K * M);
          const bt = make(4 + N * K);
          const runs = gemmForms([M, N, K], [a, 5, lda], [b, 2, ldb], [at, 1], [bt, 4], 3, ldc);
          for (const beta of [0, 1] as const) {
            const c0 = make(3 + M * ldc);
            const ref = referenceProduct(M, N, K, [a, 5, lda], [b, 2, ldb], [c0, 3, ldc], beta);
            for (const [name, run] of runs) {
              const c =
                alloc === 'core'
                  ? (allocFloat('float32', c0.length) as Float32Array)
                  : new Float32Array(c0.length);
              c.set(c0);
              run(c, beta);
              const worst = worstRelativeError(extract(c, 3, ldc, M, N), ref);
              expect(worst, `${name} beta=${beta}`).toBeLessThan(1e-5);
              // Elements outside C (before it and in the row padding) stay untouched.
              expect(c[2], name).toBe(c0[2]);
              if (ldc > N && M > 1) expect(c[3 + N], name).toBe(c0[3 + N]);
            }
          }
        });
      }
    }
  });
}
