/**
 * Dense matrix products on flat row-major typed arrays, cache-blocked with 4×4 register tiles.
 *
 * Every kernel takes its output first, then its operands, each as (buffer, offset, leading dimension),
 * so sub-matrices (a time step of a sequence, a gate block of a kernel) are used in place without
 * copies or `subarray` allocations. `beta` is 0 (overwrite C) or 1 (accumulate into C).
 *
 * Both operands are packed per K-block into Float64 panels (4 rows of op(A), 4 columns of op(B)), so
 * the micro-kernel always runs on two sequential Float64 streams whatever the input element type and
 * transposition: one monomorphic hot loop without closures. Float32 products go to the WebAssembly SIMD
 * kernels (`wasm/gemm-module.ts`, driven by `wasmProduct` here) when those are active.
 */

import type { FloatArray } from './float-array';
import { activeKernels, getRuntime, type WasmRuntime } from './wasm/runtime';

/** Block size along K: one packed 4×KC panel of A and of B (8 KB each in Float64) stays in L1. */
const KC = 256;

// Packing buffers, reused across calls (grown on demand, never inside a time loop in steady state).
let packedA = new Float64Array(4 * KC * 32);
let packedB = new Float64Array(4 * KC * 96);
const edge = new Float64Array(16);

/**
 * Packs op(B)[k0:k0+kc, 0:N] into 4-column panels: dst[(p·kc + k)·4 + q] = op(B)(k0 + k, 4p + q), zero-padded.
 * op(B)(k,j) = B[k·ldb + j], or B[j·ldb + k] when `trans`.
 */
function packCols(
  dst: Float64Array,
  b: FloatArray,
  bOff: number,
  ldb: number,
  trans: boolean,
  N: number,
  k0: number,
  kc: number,
): void {
  const panels = (N + 3) >> 2;
  for (let p = 0; p < panels; p++) {
    const base = p * kc * 4;
    const j = p * 4;
    if (!trans && j + 4 <= N) {
      let src = bOff + k0 * ldb + j;
      let d = base;
      for (let k = 0; k < kc; k++) {
        dst[d] = b[src]!;
        dst[d + 1] = b[src + 1]!;
        dst[d + 2] = b[src + 2]!;
        dst[d + 3] = b[src + 3]!;
        d += 4;
        src += ldb;
      }
      continue;
    }
    for (let q = 0; q < 4; q++) {
      const jj = j + q;
      let d = base + q;
      if (jj >= N) {
        for (let k = 0; k < kc; k++, d += 4) dst[d] = 0;
      } else if (trans) {
        let src = bOff + jj * ldb + k0;
        for (let k = 0; k < kc; k++, d += 4) dst[d] = b[src++]!;
      } else {
        let src = bOff + k0 * ldb + jj;
        for (let k = 0; k < kc; k++, d += 4) {
          dst[d] = b[src]!;
          src += ldb;
        }
      }
    }
  }
}

/**
 * The 4×4 register-tiled micro-kernel on packed panels: C[i:i+mr, j:j+nr] += Ap·Bp over kc.
 * Two sequential Float64 streams, 16 accumulators, 8 loads per 16 multiply-adds.
 */
function microKernel(
  c: FloatArray,
  cOff: number,
  ldc: number,
  pa: Float64Array,
  ia: number,
  pb: Float64Array,
  ib: number,
  kc: number,
  mr: number,
  nr: number,
): void {
  let c00 = 0;
  let c01 = 0;
  let c02 = 0;
  let c03 = 0;
  let c10 = 0;
  let c11 = 0;
  let c12 = 0;
  let c13 = 0;
  let c20 = 0;
  let c21 = 0;
  let c22 = 0;
  let c23 = 0;
  let c30 = 0;
  let c31 = 0;
  let c32 = 0;
  let c33 = 0;
  for (let k = 0; k < kc; k++) {
    const b0 = pb[ib]!;
    const b1 = pb[ib + 1]!;
    const b2 = pb[ib + 2]!;
    const b3 = pb[ib + 3]!;
    const a0 = pa[ia]!;
    c00 += a0 * b0;
    c01 += a0 * b1;
    c02 += a0 * b2;
    c03 += a0 * b3;
    const a1 = pa[ia + 1]!;
    c10 += a1 * b0;
    c11 += a1 * b1;
    c12 += a1 * b2;
    c13 += a1 * b3;
    const a2 = pa[ia + 2]!;
    c20 += a2 * b0;
    c21 += a2 * b1;
    c22 += a2 * b2;
    c23 += a2 * b3;
    const a3 = pa[ia + 3]!;
    c30 += a3 * b0;
    c31 += a3 * b1;
    c32 += a3 * b2;
    c33 += a3 * b3;
    ia += 4;
    ib += 4;
  }
  // Through a 4×4 buffer: one store path for full and edge tiles.
  edge[0] = c00;
  edge[1] = c01;
  edge[2] = c02;
  edge[3] = c03;
  edge[4] = c10;
  edge[5] = c11;
  edge[6] = c12;
  edge[7] = c13;
  edge[8] = c20;
  edge[9] = c21;
  edge[10] = c22;
  edge[11] = c23;
  edge[12] = c30;
  edge[13] = c31;
  edge[14] = c32;
  edge[15] = c33;
  for (let q = 0; q < mr; q++) {
    for (let r = 0; r < nr; r++) c[cOff + q * ldc + r]! += edge[q * 4 + r]!;
  }
}

/**
 * Block sizes along K of the WebAssembly GEMM. With A's rows contiguous (layout N) a 4-row panel of a
 * K-block is 4 KB at 256; with Aᵀ stored (layout T, the weight gradients Aᵀ·B with K = T·B) every k of
 * a panel is on its own cache line, so 64 keep the panel's lines in L1 while the row panel sweeps B
 * (Hᵀ·dG [128,896]ᵀ·[896,384]: 32 → 40 GFLOP per CPU-second against 256).
 */
export const WASM_KC_N = 256;
const WASM_KC_T = 64;

/** dst[dOff + i·dLd + j] = src[sOff + i·sLd + j] for i < rows, j < cols. */
function copyIn(
  dst: Float32Array,
  dOff: number,
  dLd: number,
  src: Float32Array,
  sOff: number,
  sLd: number,
  rows: number,
  cols: number,
): void {
  if (rows * cols >= 256 && sLd === cols && dLd === cols) {
    dst.set(src.subarray(sOff, sOff + rows * cols), dOff);
    return;
  }
  for (let i = 0; i < rows; i++) {
    let s = sOff + i * sLd;
    let d = dOff + i * dLd;
    const end = d + cols;
    while (d < end) dst[d++] = src[s++]!;
  }
}

/**
 * C = beta·C + op(A)·op(B) on Float32 buffers with the WebAssembly SIMD kernels of `rt`. op(A): [M,K],
 * op(B): [K,N]. Operands outside the module's memory are copied in (Bᵀ transposed on the way), the product
 * runs there, and C is copied back. Requires M, N, K ≥ 1.
 */
function wasmProduct(
  rt: WasmRuntime,
  transA: boolean,
  transB: boolean,
  [c, cOff, ldc, a, aOff, lda, b, bOff, ldb, M, N, K, beta]: Operands<Float32Array>,
): void {
  const inA = rt.holds(a);
  const inB = !transB && rt.holds(b);
  const inC = rt.holds(c);
  // Operands outside the module's memory get dense copies in its scratch space, one after the other:
  // A as stored ([M,K], or [K,M] when transA), B as [K,N] (Bᵀ transposed on the way), C as [M,N].
  const aAt = rt.scratch((inA ? 0 : M * K) + (inB ? 0 : K * N) + (inC ? 0 : M * N));
  const bAt = aAt + (inA ? 0 : M * K);
  const cAt = bAt + (inB ? 0 : K * N);
  const heap = rt.heap();
  const aLd = inA ? lda : transA ? M : K;
  if (!inA) copyIn(heap, aAt, aLd, a, aOff, lda, transA ? K : M, aLd);
  if (!inB && transB) {
    // B is [N,K]: heap[bAt + k·N + j] = B[j·ldb + k].
    for (let j = 0; j < N; j++) {
      let s = bOff + j * ldb;
      let d = bAt + j;
      for (let k = 0; k < K; k++, d += N) heap[d] = b[s++]!;
    }
  } else if (!inB) {
    copyIn(heap, bAt, N, b, bOff, ldb, K, N);
  }
  if (!inC && beta === 1) copyIn(heap, cAt, N, c, cOff, ldc, M, N);
  const aPtr = inA ? a.byteOffset + aOff * 4 : aAt * 4;
  const bPtr = inB ? b.byteOffset + bOff * 4 : bAt * 4;
  const cPtr = inC ? c.byteOffset + cOff * 4 : cAt * 4;
  const ldbBytes = (inB ? ldb : N) * 4;
  const ldcBytes = (inC ? ldc : N) * 4;
  // op(A) keeps its own orientation: rows of A, or rows of Aᵀ with the element strides swapped.
  const sai = transA ? 4 : aLd * 4;
  const sak = transA ? aLd * 4 : 4;
  const kernels = sak === 4 ? rt.kernelsN : rt.kernelsT;
  const kcMax = sak === 4 ? WASM_KC_N : WASM_KC_T;
  const rows4 = kernels[4]!;
  // Blocks of KC along K keep a [KC, N] block of B in L2 while every row panel of A sweeps it
  // (the weight-gradient products Aᵀ·B have K = T·B in the thousands).
  for (let k0 = 0; k0 < K; k0 += kcMax) {
    const kc = Math.min(kcMax, K - k0);
    const betaK = k0 === 0 ? beta : 1;
    const aK = aPtr + k0 * sak;
    const bK = bPtr + k0 * ldbBytes;
    let i = 0;
    for (; i + 4 <= M; i += 4) {
      rows4(cPtr + i * ldcBytes, ldcBytes, aK + i * sai, sai, sak, bK, ldbBytes, N, kc, betaK);
    }
    if (i < M)
      kernels[M - i]!(cPtr + i * ldcBytes, ldcBytes, aK + i * sai, sai, sak, bK, ldbBytes, N, kc, betaK);
  }
  if (!inC) copyIn(c, cOff, ldc, heap, cAt, N, M, N);
}

/**
 * The operands of a product C = beta·C + op(A)·op(B), each matrix as (buffer, offset, leading dimension),
 * then the sizes: op(A) [M,K], op(B) [K,N], C [M,N]; `beta` 0 overwrites C, 1 accumulates into it.
 */
export type Operands<T extends FloatArray = FloatArray> = [
  c: T,
  cOff: number,
  ldc: number,
  a: T,
  aOff: number,
  lda: number,
  b: T,
  bOff: number,
  ldb: number,
  M: number,
  N: number,
  K: number,
  beta: 0 | 1,
];

/** A product with fixed transpositions: `gemmNN`, `gemmTN`, `gemmNT`. */
export type Gemm = (...operands: Operands) => void;

/**
 * C = beta·C + op(A)·op(B), op(X) = Xᵀ when `transX`: Float32 products on the WebAssembly SIMD kernels
 * when they are active, everything else on the TypeScript kernels.
 */
function gemm(transA: boolean, transB: boolean, ...operands: Operands): void {
  const [c, cOff, ldc, a, , , b, , , M, N, K, beta] = operands;
  if (M === 0 || N === 0) return;
  if (K === 0) {
    if (beta === 0) zeroMatrix(c, cOff, ldc, M, N);
    return;
  }
  if (
    c instanceof Float32Array &&
    a instanceof Float32Array &&
    b instanceof Float32Array &&
    activeKernels() === 'wasm'
  ) {
    const rt = getRuntime();
    if (rt !== null) {
      wasmProduct(rt, transA, transB, operands as Operands<Float32Array>);
      return;
    }
  }
  tsProduct(transA, transB, operands);
}

/**
 * C = beta·C + op(A)·op(B) on the TypeScript kernels (any element type), blocked along K, both operands
 * packed into Float64 panels, 4×4 micro-tiles. Requires M, N, K ≥ 1.
 */
function tsProduct(
  transA: boolean,
  transB: boolean,
  [c, cOff, ldc, a, aOff, lda, b, bOff, ldb, M, N, K, beta]: Operands,
): void {
  if (beta === 0) zeroMatrix(c, cOff, ldc, M, N);
  const panelsM = (M + 3) >> 2;
  const panelsN = (N + 3) >> 2;
  const kcMax = Math.min(K, KC);
  if (packedA.length < panelsM * 4 * kcMax) packedA = new Float64Array(panelsM * 4 * kcMax);
  if (packedB.length < panelsN * 4 * kcMax) packedB = new Float64Array(panelsN * 4 * kcMax);
  const pa = packedA;
  const pb = packedB;
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
    packCols(pb, b, bOff, ldb, transB, N, k0, kc);
    // op(A)'s rows are the columns of op(A)ᵀ: the same panel layout as B's, with the transpose flipped.
    packCols(pa, a, aOff, lda, !transA, M, k0, kc);
    for (let ip = 0; ip < panelsM; ip++) {
      const i = ip * 4;
      const mr = Math.min(4, M - i);
      const ia = ip * kc * 4;
      for (let jp = 0; jp < panelsN; jp++) {
        const j = jp * 4;
        microKernel(c, cOff + i * ldc + j, ldc, pa, ia, pb, jp * kc * 4, kc, mr, Math.min(4, N - j));
      }
    }
  }
}

/** C = beta·C + A·B; A: [M,K] (lda), B: [K,N] (ldb), C: [M,N] (ldc). */
export const gemmNN: Gemm = gemm.bind(null, false, false);

/** C = beta·C + Aᵀ·B; A: [K,M] (lda), B: [K,N] (ldb), C: [M,N] (ldc). */
export const gemmTN: Gemm = gemm.bind(null, true, false);

/** C = beta·C + A·Bᵀ; A: [M,K] (lda), B: [N,K] (ldb), C: [M,N] (ldc). */
export const gemmNT: Gemm = gemm.bind(null, false, true);

/** C[M,N] (ldc) = 0. */
export function zeroMatrix(c: FloatArray, cOff: number, ldc: number, M: number, N: number): void {
  if (ldc === N) {
    c.fill(0, cOff, cOff + M * N);
    return;
  }
  for (let i = 0; i < M; i++) c.fill(0, cOff + i * ldc, cOff + i * ldc + N);
}

/** out[N,M] = inᵀ for in: [M,N], both dense. */
export function transpose(out: FloatArray, input: FloatArray, M: number, N: number): void {
  for (let i = 0; i < M; i++) {
    const row = i * N;
    for (let j = 0; j < N; j++) out[j * M + i] = input[row + j]!;
  }
}

/** c[M,N] = a[M,K]·b[K,N] on dense buffers (convenience form of `gemmNN`). */
export function matmul(c: FloatArray, a: FloatArray, b: FloatArray, M: number, K: number, N: number): void {
  gemmNN(c, 0, N, a, 0, K, b, 0, N, M, N, K, 0);
}
