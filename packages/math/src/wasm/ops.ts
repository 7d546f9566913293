/**
 * The typed entry points of the WebAssembly element-wise gate kernels (the GEMM's is in `../gemm.ts`). Each
 * runs on the module `runtime.ts` compiled and returns false (or 0 columns done) when it cannot, so the
 * caller runs its own TypeScript loop.
 */
import type { FloatArray } from '../float-array';
import { activeKernels, getRuntime, type WasmRuntime } from './runtime';

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
