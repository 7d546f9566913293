// Shared by the GEMM tests (gemm.test.ts, wasm/gemm-module.test.ts): the product shapes, the float64
// reference every kernel is checked against and the three forms of one product.
import { gemmNN, gemmNT, gemmTN } from '../gemm';

/**
 * Product shapes [M, N, K] around every tile of both kernel sets: the TypeScript 4×4 tiles, and the
 * WebAssembly register tiles (1×48, 2×16, 3×12, 4×8, then 8- and 4-column tiles and scalar columns);
 * K = 0, 1 and past one K-block.
 */
export const EDGE_SHAPES: readonly (readonly [number, number, number])[] = [
  [1, 1, 1],
  [3, 2, 0],
  [4, 4, 4],
  [4, 8, 1],
  [5, 7, 3],
  [6, 4, 1],
  [8, 12, 17],
  [13, 9, 300],
  [1, 7, 5],
  [1, 9, 300],
  [1, 45, 17],
  [1, 48, 16],
  [1, 59, 7],
  [1, 100, 5],
  [2, 9, 3],
  [2, 31, 9],
  [3, 13, 8],
  [3, 35, 6],
  [5, 12, 31],
  [7, 13, 5],
  [7, 17, 4],
  [9, 33, 20],
  [12, 10, 48],
  [16, 48, 12],
];

/**
 * GRU-128 on MNIST rows: input [B,28]·[28,384], recurrent [B,128]·[128,384], one image [1,128]·[128,384],
 * a weight gradient with K = T·B.
 */
export const GRU_SHAPES: readonly (readonly [number, number, number])[] = [
  [128, 384, 28],
  [128, 384, 128],
  [1, 384, 128],
  [28, 384, 1024],
];

/** A row-major matrix inside a buffer, as the GEMM takes it: (buffer, offset, leading dimension). */
export type Matrix = readonly [data: ArrayLike<number>, off: number, ld: number];

/**
 * C = beta·C + Σ_k A(i,k)·B(k,j) in float64 (`value`, dense [M,N]), with Σ_k |A(i,k)·B(k,j)| + |beta·C(i,j)|
 * per element (`scale`: what a float32 product's rounding error is relative to). A: [M,K], B: [K,N], C: [M,N].
 */
export function referenceProduct(
  M: number,
  N: number,
  K: number,
  [a, aOff, lda]: Matrix,
  [b, bOff, ldb]: Matrix,
  [c, cOff, ldc]: Matrix,
  beta: 0 | 1,
): { value: Float64Array; scale: Float64Array } {
  const value = new Float64Array(M * N);
  const scale = new Float64Array(M * N);
  for (let i = 0; i < M; i++) {
    for (let j = 0; j < N; j++) {
      let s = beta * c[cOff + i * ldc + j]!;
      let m = Math.abs(s);
      for (let k = 0; k < K; k++) {
        const p = a[aOff + i * lda + k]! * b[bOff + k * ldb + j]!;
        s += p;
        m += Math.abs(p);
      }
      value[i * N + j] = s;
      scale[i * N + j] = m;
    }
  }
  return { value, scale };
}

/** The largest |got − value| / scale over the elements (a zero scale counts as 1e-30). */
export function worstRelativeError(
  got: ArrayLike<number>,
  { value, scale }: { value: Float64Array; scale: Float64Array },
): number {
  let worst = 0;
  for (let i = 0; i < value.length; i++) {
    worst = Math.max(worst, Math.abs(got[i]! - value[i]!) / Math.max(scale[i]!, 1e-30));
  }
  return worst;
}

/** A float32 matrix operand of the GEMM: (buffer, offset, leading dimension). */
export type Operand = readonly [data: Float32Array, off: number, ld: number];

/** One GEMM form of a product, by name (`NN`, `TN`, `NT`): runs it into a C buffer. */
export type GemmRun = readonly [name: string, run: (c: Float32Array, beta: 0 | 1) => void];

/**
 * The three GEMM forms of one product C [M,N] = beta·C + A [M,K]·B [K,N], C at `cOff` with leading
 * dimension `ldc`: NN on A and B, TN on Aᵀ, NT on Bᵀ. Fills `at` ([K,M] from `atOff`) with Aᵀ and `bt`
 * ([N,K] from `btOff`) with Bᵀ.
 */
export function gemmForms(
  [M, N, K]: readonly [number, number, number],
  [a, aOff, lda]: Operand,
  [b, bOff, ldb]: Operand,
  [at, atOff]: readonly [Float32Array, number],
  [bt, btOff]: readonly [Float32Array, number],
  cOff: number,
  ldc: number,
): GemmRun[] {
  for (let i = 0; i < M; i++) for (let k = 0; k < K; k++) at[atOff + k * M + i] = a[aOff + i * lda + k]!;
  for (let k = 0; k < K; k++) for (let j = 0; j < N; j++) bt[btOff + j * K + k] = b[bOff + k * ldb + j]!;
  return [
    ['NN', (c, beta) => gemmNN(c, cOff, ldc, a, aOff, lda, b, bOff, ldb, M, N, K, beta)],
    ['TN', (c, beta) => gemmTN(c, cOff, ldc, at, atOff, M, b, bOff, ldb, M, N, K, beta)],
    ['NT', (c, beta) => gemmNT(c, cOff, ldc, a, aOff, lda, bt, btOff, K, M, N, K, beta)],
  ];
}
