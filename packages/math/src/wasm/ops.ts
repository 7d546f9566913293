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

/**
 * A row-strided matrix inside a flat buffer: element (i, j) is `data[off + i·ld + j]`. The element-wise
 * kernels take their operands as these views, by name.
 */
export interface Strided {
  readonly data: FloatArray;
  readonly off: number;
  readonly ld: number;
}

/** A view of `data` starting at element `off`, rows `ld` apart. */
export function strided(data: FloatArray, off: number, ld: number): Strided {
  return { data, off, ld };
}

/** The byte address of a view's first element in the module memory (with `ld · 4`, the kernels' argument pair). */
function ptr(v: Strided): number {
  return v.data.byteOffset + v.off * 4;
}

/** Runs the WASM element-wise kernels only when they are active and every operand is in the arena. */
function elementwiseRuntime(rows: number, cols: number, views: readonly Strided[]): WasmRuntime | null {
  if (rows < 1 || cols < 4 || activeKernels() !== 'wasm') return null;
  for (const v of views) if (!(v.data instanceof Float32Array)) return null;
  const rt = getRuntime();
  if (rt === null) return null;
  for (const v of views) if (!rt.holds(v.data as Float32Array)) return null;
  return rt;
}

/** What `wasmElementwise` computes from a and b. */
export type ElementwiseOp = 'sigmoidOfSum' | 'tanhOfSum' | 'product';

/**
 * out = σ(a + b) (`op` 'sigmoidOfSum'), tanh(a + b) ('tanhOfSum') or a ⊙ b ('product'), element-wise
 * over [rows, cols], with the WebAssembly SIMD kernels. Returns false, doing nothing, unless the WASM
 * kernels are active and all three operands are Float32 buffers in the arena: the caller then runs its
 * own TypeScript loop. σ and tanh agree with the float64 functions within ~1e-7 (absolute).
 */
export function wasmElementwise(
  op: ElementwiseOp,
  { out, a, b }: { readonly out: Strided; readonly a: Strided; readonly b: Strided },
  rows: number,
  cols: number,
): boolean {
  const rt = elementwiseRuntime(rows, cols, [out, a, b]);
  if (rt === null) return false;
  const cols4 = cols & ~3;
  const kernel = op === 'sigmoidOfSum' ? rt.sigmoidOfSum : op === 'tanhOfSum' ? rt.tanhOfSum : rt.product;
  kernel(ptr(out), out.ld * 4, ptr(a), a.ld * 4, ptr(b), b.ld * 4, rows, cols4);
  for (let i = 0; i < rows; i++) {
    for (let j = cols4; j < cols; j++) {
      const x = a.data[a.off + i * a.ld + j]!;
      const y = b.data[b.off + i * b.ld + j]!;
      const v = x + y;
      out.data[out.off + i * out.ld + j] =
        op === 'sigmoidOfSum' ? 1 / (1 + Math.exp(-v)) : op === 'tanhOfSum' ? Math.tanh(v) : x * y;
    }
  }
  return true;
}

/** The operands of `wasmTanhBlend`, each [rows, cols]. */
export interface TanhBlendViews {
  /** Out: the candidate ĥ = tanh(a + b). */
  readonly hh: Strided;
  /** Out: the new state h = z ⊙ hp + (1 − z) ⊙ ĥ. */
  readonly h: Strided;
  /** In: the input and recurrent pre-activations of the candidate. */
  readonly a: Strided;
  readonly b: Strided;
  /** In: the update gate and the previous state. */
  readonly z: Strided;
  readonly hp: Strided;
}

/**
 * The GRU state update with the WebAssembly SIMD kernels: hh = tanh(a + b), h = z ⊙ hp + (1 − z) ⊙ hh,
 * element-wise over [rows, cols]. Returns false, doing nothing, under the same conditions as
 * `wasmElementwise`.
 */
export function wasmTanhBlend(v: TanhBlendViews, rows: number, cols: number): boolean {
  const { hh, h, a, b, z, hp } = v;
  const rt = elementwiseRuntime(rows, cols, [hh, h, a, b, z, hp]);
  if (rt === null) return false;
  const cols4 = cols & ~3;
  rt.tanhBlend(
    ptr(hh),
    hh.ld * 4,
    ptr(h),
    h.ld * 4,
    ptr(a),
    a.ld * 4,
    ptr(b),
    b.ld * 4,
    ptr(z),
    z.ld * 4,
    ptr(hp),
    hp.ld * 4,
    rows,
    cols4,
  );
  for (let i = 0; i < rows; i++) {
    for (let j = cols4; j < cols; j++) {
      const t = Math.tanh(a.data[a.off + i * a.ld + j]! + b.data[b.off + i * b.ld + j]!);
      const g = z.data[z.off + i * z.ld + j]!;
      hh.data[hh.off + i * hh.ld + j] = t;
      h.data[h.off + i * h.ld + j] = g * hp.data[hp.off + i * hp.ld + j]! + (1 - g) * t;
    }
  }
  return true;
}

/** The operands of `wasmGruBackwardUpdateAndCandidate`, each [rows, cols]. */
export interface GruBackwardUpdateViews {
  /** In: g = ∂L/∂h_t; out: ∂L/∂h_{t−1} through the blend, g ⊙ z. */
  readonly dh: Strided;
  /** Out: the update gate's pre-activation gradient, g ⊙ (hp − ĥ) ⊙ z ⊙ (1 − z). */
  readonly daz: Strided;
  /** Out: the candidate's pre-activation gradient, g ⊙ (1 − z) ⊙ (1 − ĥ²). */
  readonly dah: Strided;
  /** In: the update gate z, the candidate ĥ and the previous state hp. */
  readonly z: Strided;
  readonly hh: Strided;
  readonly hp: Strided;
}

/**
 * GRU backward element-wise step (resetAfter false, sigmoid gates) of the update gate and the candidate,
 * in place with the WebAssembly SIMD kernels (formulas on `GruBackwardUpdateViews`; dh is read, then
 * overwritten). Returns the number of leading columns done (a multiple of 4; 0 when the WASM kernels are
 * not active or an operand is outside the arena): the caller finishes the remaining columns.
 */
export function wasmGruBackwardUpdateAndCandidate(
  v: GruBackwardUpdateViews,
  rows: number,
  cols: number,
): number {
  const { dh, daz, dah, z, hh, hp } = v;
  const rt = elementwiseRuntime(rows, cols, [dh, daz, dah, z, hh, hp]);
  if (rt === null) return 0;
  const cols4 = cols & ~3;
  // Outputs dh, daz, dah, then inputs g (= dh, read before it is written), z, hh, hp.
  rt.gruBwdZh(
    ptr(dh),
    dh.ld * 4,
    ptr(daz),
    daz.ld * 4,
    ptr(dah),
    dah.ld * 4,
    ptr(dh),
    dh.ld * 4,
    ptr(z),
    z.ld * 4,
    ptr(hh),
    hh.ld * 4,
    ptr(hp),
    hp.ld * 4,
    rows,
    cols4,
  );
  return cols4;
}

/** The operands of `wasmGruBackwardReset`, each [rows, cols]; d = ∂L/∂(r ⊙ h_in). */
export interface GruBackwardResetViews {
  /** Out: the reset gate's pre-activation gradient, d ⊙ h_in ⊙ r ⊙ (1 − r). */
  readonly dar: Strided;
  /** Out: ∂L/∂h_in through the reset product, d ⊙ r. */
  readonly dhin: Strided;
  /** In: d, the reset gate r and the (masked) previous state h_in. */
  readonly d: Strided;
  readonly r: Strided;
  readonly hin: Strided;
}

/**
 * GRU backward element-wise step of the reset gate (resetAfter false, sigmoid gates) with the WebAssembly
 * SIMD kernels (formulas on `GruBackwardResetViews`). Returns the number of leading columns done, as
 * `wasmGruBackwardUpdateAndCandidate`.
 */
export function wasmGruBackwardReset(v: GruBackwardResetViews, rows: number, cols: number): number {
  const { dar, dhin, d, r, hin } = v;
  const rt = elementwiseRuntime(rows, cols, [dar, dhin, d, r, hin]);
  if (rt === null) return 0;
  const cols4 = cols & ~3;
  rt.gruBwdR(
    ptr(dar),
    dar.ld * 4,
    ptr(dhin),
    dhin.ld * 4,
    ptr(d),
    d.ld * 4,
    ptr(r),
    r.ld * 4,
    ptr(hin),
    hin.ld * 4,
    rows,
    cols4,
  );
  return cols4;
}
