/**
 * The typed entry points of the WebAssembly kernels: `wasmGemm` and the element-wise gate kernels. Each
 * runs on the module `runtime.ts` compiled and returns false (or 0 columns done) when it cannot, so the
 * caller runs its own TypeScript loop.
 */
import type { FloatArray } from '../float-array';
import { activeKernels, getRuntime, type WasmRuntime } from './runtime';

/** Block size along K of the WebAssembly GEMM. */
const KC = 256;

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
 * C = beta·C + op(A)·op(B) on Float32 buffers with the WebAssembly SIMD kernels. op(A): [M,K], op(B): [K,N].
 * Operands are copied into the module's memory (Bᵀ transposed on the way), the product runs there, and
 * C is copied back. Requires M, N, K ≥ 1. Returns false, doing nothing, when the module is unavailable.
 */
export function wasmGemm(
  transA: boolean,
  transB: boolean,
  c: Float32Array,
  cOff: number,
  ldc: number,
  a: Float32Array,
  aOff: number,
  lda: number,
  b: Float32Array,
  bOff: number,
  ldb: number,
  M: number,
  N: number,
  K: number,
  beta: 0 | 1,
): boolean {
  const rt = getRuntime();
  if (rt === null) return false;
  const inA = rt.holds(a);
  const inB = !transB && rt.holds(b);
  const inC = rt.holds(c);
  const base = rt.scratch((inA ? 0 : M * K) + (inB ? 0 : K * N) + (inC ? 0 : M * N));
  const heap = rt.heap();
  let next = base;
  // op(A) keeps its own orientation: rows of A, or rows of Aᵀ with the element strides swapped.
  let aPtr: number;
  let sai: number;
  let sak: number;
  if (inA) {
    aPtr = a.byteOffset + aOff * 4;
    sai = transA ? 4 : lda * 4;
    sak = transA ? lda * 4 : 4;
  } else {
    aPtr = next * 4;
    if (transA) copyIn(heap, next, M, a, aOff, lda, K, M);
    else copyIn(heap, next, K, a, aOff, lda, M, K);
    sai = transA ? 4 : K * 4;
    sak = transA ? M * 4 : 4;
    next += M * K;
  }
  let bPtr: number;
  let ldbBytes: number;
  if (inB) {
    bPtr = b.byteOffset + bOff * 4;
    ldbBytes = ldb * 4;
  } else {
    bPtr = next * 4;
    ldbBytes = N * 4;
    if (transB) {
      // B is [N,K]: heap[next + k·N + j] = B[j·ldb + k].
      for (let j = 0; j < N; j++) {
        let s = bOff + j * ldb;
        let d = next + j;
        for (let k = 0; k < K; k++, d += N) heap[d] = b[s++]!;
      }
    } else {
      copyIn(heap, next, N, b, bOff, ldb, K, N);
    }
    next += K * N;
  }
  let cPtr: number;
  let ldcBytes: number;
  if (inC) {
    cPtr = c.byteOffset + cOff * 4;
    ldcBytes = ldc * 4;
  } else {
    cPtr = next * 4;
    ldcBytes = N * 4;
    if (beta === 1) copyIn(heap, next, N, c, cOff, ldc, M, N);
  }
  const kernels = sak === 4 ? rt.kernelsN : rt.kernelsT;
  const rows4 = kernels[4]!;
  // Blocks of KC along K keep a [KC, N] block of B in L2 while every row panel of A sweeps it
  // (the weight-gradient products Aᵀ·B have K = T·B in the thousands).
  for (let k0 = 0; k0 < K; k0 += KC) {
    const kc = Math.min(KC, K - k0);
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
  if (!inC) copyIn(c, cOff, ldc, heap, next, N, M, N);
  return true;
}

/** Runs the WASM element-wise kernels only when they are active and every operand is in the arena. */
function elementwiseRuntime(rows: number, cols: number, arrays: readonly FloatArray[]): WasmRuntime | null {
  if (rows < 1 || cols < 4 || activeKernels() !== 'wasm') return null;
  for (const x of arrays) if (!(x instanceof Float32Array)) return null;
  const rt = getRuntime();
  if (rt === null) return null;
  for (const x of arrays) if (!rt.holds(x as Float32Array)) return null;
  return rt;
}

/** What `wasmElementwise` computes from a and b. */
export type ElementwiseOp = 'sigmoidOfSum' | 'tanhOfSum' | 'product';

/**
 * out[i, j] = σ(a[i, j] + b[i, j]) (`op` 'sigmoidOfSum'), tanh(a[i, j] + b[i, j]) ('tanhOfSum') or
 * a[i, j]·b[i, j] ('product') for i < rows, j < cols, with the WebAssembly SIMD kernels, in place. Returns
 * false, doing nothing, unless the WASM kernels are active and all three operands are Float32 buffers in
 * the arena: the caller then runs its own TypeScript loop. σ and tanh agree with the float64 functions
 * within ~1e-7 (absolute).
 */
export function wasmElementwise(
  op: ElementwiseOp,
  out: FloatArray,
  oOff: number,
  ldo: number,
  a: FloatArray,
  aOff: number,
  lda: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  rows: number,
  cols: number,
): boolean {
  const rt = elementwiseRuntime(rows, cols, [out, a, b]);
  if (rt === null) return false;
  const cols4 = cols & ~3;
  const kernel = op === 'sigmoidOfSum' ? rt.sigmoidOfSum : op === 'tanhOfSum' ? rt.tanhOfSum : rt.product;
  kernel(
    out.byteOffset + oOff * 4,
    ldo * 4,
    a.byteOffset + aOff * 4,
    lda * 4,
    b.byteOffset + bOff * 4,
    ldb * 4,
    rows,
    cols4,
  );
  for (let i = 0; i < rows; i++) {
    for (let j = cols4; j < cols; j++) {
      const x = a[aOff + i * lda + j]!;
      const y = b[bOff + i * ldb + j]!;
      const v = x + y;
      out[oOff + i * ldo + j] =
        op === 'sigmoidOfSum' ? 1 / (1 + Math.exp(-v)) : op === 'tanhOfSum' ? Math.tanh(v) : x * y;
    }
  }
  return true;
}

/**
 * The GRU state update with the WebAssembly SIMD kernels: hh = tanh(a + b), h = z ⊙ hp + (1 − z) ⊙ hh,
 * element-wise over [rows, cols] (each operand with its offset and row stride). Returns false, doing
 * nothing, under the same conditions as `wasmElementwise`.
 */
export function wasmTanhBlend(
  hh: FloatArray,
  hhOff: number,
  ldhh: number,
  h: FloatArray,
  hOff: number,
  ldh: number,
  a: FloatArray,
  aOff: number,
  lda: number,
  b: FloatArray,
  bOff: number,
  ldb: number,
  z: FloatArray,
  zOff: number,
  ldz: number,
  hp: FloatArray,
  hpOff: number,
  ldhp: number,
  rows: number,
  cols: number,
): boolean {
  const rt = elementwiseRuntime(rows, cols, [hh, h, a, b, z, hp]);
  if (rt === null) return false;
  const cols4 = cols & ~3;
  rt.tanhBlend(
    hh.byteOffset + hhOff * 4,
    ldhh * 4,
    h.byteOffset + hOff * 4,
    ldh * 4,
    a.byteOffset + aOff * 4,
    lda * 4,
    b.byteOffset + bOff * 4,
    ldb * 4,
    z.byteOffset + zOff * 4,
    ldz * 4,
    hp.byteOffset + hpOff * 4,
    ldhp * 4,
    rows,
    cols4,
  );
  for (let i = 0; i < rows; i++) {
    for (let j = cols4; j < cols; j++) {
      const t = Math.tanh(a[aOff + i * lda + j]! + b[bOff + i * ldb + j]!);
      const g = z[zOff + i * ldz + j]!;
      hh[hhOff + i * ldhh + j] = t;
      h[hOff + i * ldh + j] = g * hp[hpOff + i * ldhp + j]! + (1 - g) * t;
    }
  }
  return true;
}

/**
 * GRU backward element-wise step (resetAfter false, sigmoid gates) over [rows, cols], in place with the
 * WebAssembly SIMD kernels: with g = dh (read, then overwritten):
 * dh = g ⊙ z, daz = g ⊙ (hp − hh) ⊙ z ⊙ (1 − z), dah = g ⊙ (1 − z) ⊙ (1 − hh²).
 * Every operand is (buffer, offset, row stride). Returns the number of leading columns done (a multiple
 * of 4; 0 when the WASM kernels are not active or an operand is outside the arena): the caller finishes
 * the remaining columns.
 */
export function wasmGruBackwardUpdateAndCandidate(
  dh: FloatArray,
  dhOff: number,
  ldDh: number,
  daz: FloatArray,
  dazOff: number,
  dah: FloatArray,
  dahOff: number,
  ldDa: number,
  z: FloatArray,
  zOff: number,
  hh: FloatArray,
  hhOff: number,
  ldAct: number,
  hp: FloatArray,
  hpOff: number,
  ldHp: number,
  rows: number,
  cols: number,
): number {
  const rt = elementwiseRuntime(rows, cols, [dh, daz, dah, z, hh, hp]);
  if (rt === null) return 0;
  const cols4 = cols & ~3;
  rt.gruBwdZh(
    dh.byteOffset + dhOff * 4,
    ldDh * 4,
    daz.byteOffset + dazOff * 4,
    ldDa * 4,
    dah.byteOffset + dahOff * 4,
    ldDa * 4,
    dh.byteOffset + dhOff * 4,
    ldDh * 4,
    z.byteOffset + zOff * 4,
    ldAct * 4,
    hh.byteOffset + hhOff * 4,
    ldAct * 4,
    hp.byteOffset + hpOff * 4,
    ldHp * 4,
    rows,
    cols4,
  );
  return cols4;
}

/**
 * GRU backward reset step over [rows, cols] with the WebAssembly SIMD kernels: with d = d(r ⊙ h_in),
 * dar = d ⊙ hin ⊙ r ⊙ (1 − r), dhin = d ⊙ r. Returns the number of leading columns done, as
 * `wasmGruBackwardUpdateAndCandidate`.
 */
export function wasmGruBackwardReset(
  dar: FloatArray,
  darOff: number,
  ldDar: number,
  dhin: FloatArray,
  dhinOff: number,
  d: FloatArray,
  dOff: number,
  ldD: number,
  r: FloatArray,
  rOff: number,
  ldR: number,
  hin: FloatArray,
  hinOff: number,
  ldHin: number,
  rows: number,
  cols: number,
): number {
  const rt = elementwiseRuntime(rows, cols, [dar, dhin, d, r, hin]);
  if (rt === null) return 0;
  const cols4 = cols & ~3;
  rt.gruBwdR(
    dar.byteOffset + darOff * 4,
    ldDar * 4,
    dhin.byteOffset + dhinOff * 4,
    ldD * 4,
    d.byteOffset + dOff * 4,
    ldD * 4,
    r.byteOffset + rOff * 4,
    ldR * 4,
    hin.byteOffset + hinOff * 4,
    ldHin * 4,
    rows,
    cols4,
  );
  return cols4;
}
