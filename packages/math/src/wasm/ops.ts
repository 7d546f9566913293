/**
 * The typed entry points of the WebAssembly kernels: `wasmGemm` and the element-wise gate kernels. Each
 * runs on the module `runtime.ts` compiled and returns false (or 0 columns done) when it cannot, so the
 * caller runs its own TypeScript loop.
 */
import type { FloatArray } from '../float-array';
import type { GateKernelName, MapKernel } from './gate-module';
import { activeKernels, getRuntime } from './runtime';

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
 * One operand of a gate kernel over a time loop: element (i, j) at step s is
 * `data[off + s·step + i·ld + j]` (`step` 0 or absent: the same rows at every step; negative: walking
 * back in time).
 */
export interface StepOperand {
  readonly data: FloatArray;
  readonly off: number;
  readonly ld: number;
  readonly step?: number;
}

/** An operand read from `data` at element `off`, rows `ld` apart, `step` elements further per step. */
export function operand(data: FloatArray, off: number, ld: number, step = 0): StepOperand {
  return { data, off, ld, step };
}

/**
 * A WebAssembly gate kernel (`gate-module.ts`) bound once to its operands for a whole pass: `run(s)`
 * computes step s over `rows` rows and the leading `cols4` columns (a multiple of 4), allocating nothing.
 * The caller's TypeScript loop does the columns from `cols4` on.
 */
export class GateKernel {
  private readonly args: number[];
  private readonly base: number[];
  private readonly step: number[];

  constructor(
    private readonly fn: MapKernel,
    operands: readonly StepOperand[],
    rows: number,
    readonly cols4: number,
  ) {
    this.base = operands.map((v) => v.data.byteOffset + v.off * 4);
    this.step = operands.map((v) => (v.step ?? 0) * 4);
    this.args = operands.flatMap((v) => [0, v.ld * 4]);
    this.args.push(rows, cols4);
  }

  /** Runs the kernel on the operands of step `s`. */
  run(s = 0): void {
    const { args, base, step } = this;
    for (let k = 0; k < base.length; k++) args[2 * k] = base[k]! + s * step[k]!;
    Reflect.apply(this.fn, undefined, args);
  }
}

/**
 * Binds the gate kernel `name` to its operands (outputs first, then inputs, in the order of its
 * signature in `gate-module.ts`) for `rows` rows of `cols` columns. Returns null unless the WASM kernels
 * are active, cols ≥ 4 and every operand is a Float32 buffer in the arena: the caller then runs its own
 * TypeScript loop over all columns.
 */
export function bindGateKernel(
  name: GateKernelName,
  operands: readonly StepOperand[],
  rows: number,
  cols: number,
): GateKernel | null {
  if (rows < 1 || cols < 4 || activeKernels() !== 'wasm') return null;
  for (const v of operands) if (!(v.data instanceof Float32Array)) return null;
  const rt = getRuntime();
  if (rt === null) return null;
  for (const v of operands) if (!rt.holds(v.data as Float32Array)) return null;
  return new GateKernel(rt.gates[name], operands, rows, cols & ~3);
}

/** The columns a bound kernel does (0 without one): where the caller's TypeScript loop starts. */
export function kernelColumns(kernel: GateKernel | null): number {
  return kernel === null ? 0 : kernel.cols4;
}
