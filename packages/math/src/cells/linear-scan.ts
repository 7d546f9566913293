import type { FloatArray } from '../float-array';
import { bindGateKernel, kernelColumns, operand } from '../wasm/ops';

/**
 * The linear recurrence both minimal cells reduce to, over `N` independent lanes (batch × units):
 *
 *     h[s+1] = a[s] ⊙ h[s] + b[s]          s = 0 … T−1            (forward)
 *     g[s]   = d[s] + a[s+1] ⊙ g[s+1]      s = T−1 … 0, g[T] = 0  (its gradient)
 *
 * Two schedules give the same numbers up to float rounding:
 * - `'sequential'`: one step after the other (inference, traces);
 * - `'parallel'`: a chunked scan (blocks of ⌈√T⌉ steps). Each block is reduced on its own to the
 *   affine map `h ↦ P ⊙ h + Q` (independent across blocks), the block boundaries are chained in
 *   order (⌈T/⌈√T⌉⌉ steps), then every step inside a block is `P_s ⊙ h_in + Q_s` (independent again).
 *   This is the work-efficient scan GPUs use; on one CPU core it does ~2× the multiply-adds.
 *
 * Why linear space and not the paper's log-space scan: composing affine maps only multiplies
 * coefficients in [0, 1] and never divides, so nothing overflows (a product that underflows to 0 is
 * the right limit), and it needs no positive values. The log-space scan computes
 * `h_t = exp(A_t + logcumsumexp(log b − A))` with `A_t = Σ log a`; in float32 the cancellation costs a
 * relative error of about |A_t|·2⁻²⁴ (≈3e-5 after 784 steps with a ≈ 0.5).
 *
 * Every phase of both schedules is a run of `scanRows` (below): the WebAssembly SIMD kernels `madd` and
 * `madd_mul` on Float32 buffers in the arena, else a TypeScript loop.
 *
 * Layouts (time-major, lanes contiguous): `h: [T+1, N]` (slot 0 the initial state; on entry slots
 * 1…T hold `b`), `a: [T, N]`.
 */
export type ScanSchedule = 'sequential' | 'parallel';

/** Block length of the parallel schedule: ⌈√T⌉. */
export function scanChunk(T: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(T)));
}

/**
 * Where one run of `scanRows` reads and writes, as element offsets and per-row strides (negative: rows
 * walk back in time): row r updates h at `o + r·dO` from a at `p + r·dP` and h at `x + r·dX`; with
 * `q` also a at `p + r·dP` ← itself ⊙ a at `q + r·dQ`.
 */
interface Rows {
  readonly o: number;
  readonly dO: number;
  readonly x: number;
  readonly dX: number;
  readonly p: number;
  readonly dP: number;
  readonly q?: number;
  readonly dQ?: number;
}

/**
 * `rows` steps of a recurrence over N lanes, in order (a row may read what the row before wrote):
 * h[o] = a[p] ⊙ h[x] + h[o], and with `q` also a[p] ← a[p] ⊙ a[q] (offsets of row r on `Rows`).
 */
function scanRows(h: FloatArray, a: FloatArray, N: number, rows: number, at: Rows): void {
  const { o, dO, x, dX, p, dP, q, dQ = 0 } = at;
  const hv = (off: number, ld: number) => operand(h, off, ld);
  const av = (off: number, ld: number) => operand(a, off, ld);
  const kernel =
    q === undefined
      ? bindGateKernel('madd', [hv(o, dO), av(p, dP), hv(x, dX), hv(o, dO)], rows, N)
      : bindGateKernel(
          'madd_mul',
          [hv(o, dO), av(p, dP), av(p, dP), hv(x, dX), hv(o, dO), av(q, dQ)],
          rows,
          N,
        );
  kernel?.run();
  const from = kernelColumns(kernel);
  if (from === N) return;
  for (let r = 0; r < rows; r++) {
    const ho = o + r * dO;
    const hx = x + r * dX;
    const ap = p + r * dP;
    if (q === undefined) {
      for (let n = from; n < N; n++) h[ho + n] = a[ap + n]! * h[hx + n]! + h[ho + n]!;
      continue;
    }
    const aq = q + r * dQ;
    for (let n = from; n < N; n++) {
      const an = a[ap + n]!;
      h[ho + n] = an * h[hx + n]! + h[ho + n]!;
      a[ap + n] = an * a[aq + n]!;
    }
  }
}

/**
 * Forward recurrence in place. h: [T+1, N], slot 0 the initial state, slots s+1 hold b[s] on entry and
 * h after step s on return. a: [T, N] (the parallel schedule overwrites it with block prefix products).
 */
export function scanForward(
  h: FloatArray,
  a: FloatArray,
  T: number,
  N: number,
  schedule: ScanSchedule,
): void {
  if (schedule === 'sequential') {
    scanRows(h, a, N, T, { o: N, dO: N, x: 0, dX: N, p: 0, dP: N });
    return;
  }
  const C = scanChunk(T);
  // 1. Every block on its own, from the identity map: steps s0+1 … s1−1 set a[s] ← P_s = a[s] ⊙ P_{s−1}
  //    and h[s+1] ← Q_s = a[s] ⊙ Q_{s−1} + b[s].
  for (let s0 = 0; s0 < T; s0 += C) {
    const s1 = Math.min(T, s0 + C);
    const s = s0 + 1;
    scanRows(h, a, N, s1 - s, { o: (s + 1) * N, dO: N, x: s * N, dX: N, p: s * N, dP: N, q: s0 * N, dQ: N });
  }
  // 2. Chain the block ends in order: h[s1] = P_{s1−1} ⊙ h[s0] + Q_{s1−1} (the full blocks, then a short last one).
  const full = Math.floor(T / C);
  const CN = C * N;
  scanRows(h, a, N, full, { o: CN, dO: CN, x: 0, dX: CN, p: (C - 1) * N, dP: CN });
  if (full * C < T) scanRows(h, a, N, 1, { o: T * N, dO: 0, x: full * CN, dX: 0, p: (T - 1) * N, dP: 0 });
  // 3. The steps s0 … s1−2 inside every block from its (now final) entering state h[s0]:
  //    h[s+1] = P_s ⊙ h[s0] + Q_s.
  for (let s0 = 0; s0 < T; s0 += C) {
    const s1 = Math.min(T, s0 + C);
    scanRows(h, a, N, s1 - 1 - s0, { o: (s0 + 1) * N, dO: N, x: s0 * N, dX: 0, p: s0 * N, dP: N });
  }
}

/**
 * Gradient recurrence in place. g: [T, N] holds d on entry and g on return; c: [T, N] holds the
 * shifted coefficients c[s] = a[s+1] (c[T−1] unused) and is overwritten by the parallel schedule.
 */
export function scanBackward(
  g: FloatArray,
  c: FloatArray,
  T: number,
  N: number,
  schedule: ScanSchedule,
): void {
  if (schedule === 'sequential') {
    const s = T - 2;
    scanRows(g, c, N, T - 1, { o: s * N, dO: -N, x: (s + 1) * N, dX: -N, p: s * N, dP: -N });
    return;
  }
  const C = scanChunk(T);
  // 1. Every block [s0, s1) on its own, from its last step down: c[s] ← P_s, g[s] ← Q_s, where
  //    g[s] = P_s ⊙ g[s1] + Q_s; P_{s1−1} = c[s1−1] already.
  for (let s0 = 0; s0 < T; s0 += C) {
    const s = Math.min(T, s0 + C) - 2;
    const rows = s - s0 + 1;
    scanRows(g, c, N, rows, {
      o: s * N,
      dO: -N,
      x: (s + 1) * N,
      dX: -N,
      p: s * N,
      dP: -N,
      q: (s + 1) * N,
      dQ: -N,
    });
  }
  // 2. Chain the block starts from the last block down: g[s0] = P_{s0} ⊙ g[s0 + C] + Q_{s0}.
  const last = Math.floor((T - 1) / C) * C;
  const CN = C * N;
  const top = (last - C) * N;
  scanRows(g, c, N, last / C, { o: top, dO: -CN, x: last * N, dX: -CN, p: top, dP: -CN });
  // 3. The other steps s0+1 … s1−1 of every block but the last from the (now final) gradient entering
  //    it: g[s] = P_s ⊙ g[s1] + Q_s.
  for (let s0 = 0; s0 < last; s0 += C) {
    const s = s0 + 1;
    scanRows(g, c, N, C - 1, { o: s * N, dO: N, x: (s0 + C) * N, dX: 0, p: s * N, dP: N });
  }
}
