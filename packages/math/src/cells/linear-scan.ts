import type { FloatArray } from '../float-array';

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
 * Layouts (time-major, lanes contiguous): `h: [T+1, N]` (slot 0 the initial state; on entry slots
 * 1…T hold `b`), `a: [T, N]`.
 */
export type ScanSchedule = 'sequential' | 'parallel';

/** Block length of the parallel schedule: ⌈√T⌉. */
export function scanChunk(T: number): number {
  return Math.max(1, Math.ceil(Math.sqrt(T)));
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
    for (let s = 0; s < T; s++) {
      const p = s * N;
      const o = p + N;
      for (let n = 0; n < N; n++) h[o + n] = a[p + n]! * h[p + n]! + h[o + n]!;
    }
    return;
  }
  const C = scanChunk(T);
  // 1. Every block on its own, from the identity map: a[s] ← P_s = Π a, h[s+1] ← Q_s.
  for (let s0 = 0; s0 < T; s0 += C) {
    const s1 = Math.min(T, s0 + C);
    for (let s = s0 + 1; s < s1; s++) {
      const p = s * N;
      const q = p - N;
      const o = p + N;
      for (let n = 0; n < N; n++) {
        const an = a[p + n]!;
        h[o + n] = an * h[p + n]! + h[o + n]!;
        a[p + n] = an * a[q + n]!;
      }
    }
  }
  // 2. Chain the block ends in order: h[s1] = P_{s1−1} ⊙ h[s0] + Q_{s1−1}.
  for (let s0 = 0; s0 < T; s0 += C) {
    const s1 = Math.min(T, s0 + C);
    const p = (s1 - 1) * N;
    const i = s0 * N;
    const o = s1 * N;
    for (let n = 0; n < N; n++) h[o + n] = a[p + n]! * h[i + n]! + h[o + n]!;
  }
  // 3. The steps inside every block from its (now final) entering state.
  for (let s0 = 0; s0 < T; s0 += C) {
    const s1 = Math.min(T, s0 + C);
    const i = s0 * N;
    for (let s = s0; s < s1 - 1; s++) {
      const p = s * N;
      const o = p + N;
      for (let n = 0; n < N; n++) h[o + n] = a[p + n]! * h[i + n]! + h[o + n]!;
    }
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
    for (let s = T - 2; s >= 0; s--) {
      const p = s * N;
      const o = p + N;
      for (let n = 0; n < N; n++) g[p + n] = c[p + n]! * g[o + n]! + g[p + n]!;
    }
    return;
  }
  const C = scanChunk(T);
  // 1. Every block [s0, s1) on its own, from its last step down: c[s] ← P_s, g[s] ← Q_s, where
  //    g[s] = P_s ⊙ g[s1] + Q_s; P_{s1−1} = c[s1−1] already.
  for (let s0 = 0; s0 < T; s0 += C) {
    const s1 = Math.min(T, s0 + C);
    for (let s = s1 - 2; s >= s0; s--) {
      const p = s * N;
      const o = p + N;
      for (let n = 0; n < N; n++) {
        const cn = c[p + n]!;
        g[p + n] = cn * g[o + n]! + g[p + n]!;
        c[p + n] = cn * c[o + n]!;
      }
    }
  }
  // 2. Chain the block starts from the last block down: g[s0] = P_{s0} ⊙ g[s1] + Q_{s0}.
  const last = Math.floor((T - 1) / C) * C;
  for (let s0 = last - C; s0 >= 0; s0 -= C) {
    const s1 = s0 + C;
    const p = s0 * N;
    const o = s1 * N;
    for (let n = 0; n < N; n++) g[p + n] = c[p + n]! * g[o + n]! + g[p + n]!;
  }
  // 3. The other steps of every block but the last from the (now final) gradient entering it.
  for (let s0 = 0; s0 < last; s0 += C) {
    const s1 = s0 + C;
    const o = s1 * N;
    for (let s = s0 + 1; s < s1; s++) {
      const p = s * N;
      for (let n = 0; n < N; n++) g[p + n] = c[p + n]! * g[o + n]! + g[p + n]!;
    }
  }
}
