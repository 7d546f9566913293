import type { FloatArray } from '../float-array';

/**
 * What differs between the minimal cells (`min-gru.ts`, `min-lstm.ts`): the element-wise maps between
 * pre-activations, gates and the coefficients of the linear recurrence h_s = a_s ⊙ h_{s−1} + b_s. The
 * loops over batch and units that apply them are shared (below). In every method `x` indexes the first
 * gate block of one element in xp / dA, `o` the same in act; block k is at `+ k·u`.
 */
export interface MinCellEquations {
  /** Gate blocks per unit (G = gates·u). */
  readonly gates: number;
  /** Writes the gates of one element into act from the pre-activations xp; sets `ab.a`, `ab.b`. */
  forward(
    xp: FloatArray,
    x: number,
    act: FloatArray,
    o: number,
    u: number,
    ab: { a: number; b: number },
  ): void;
  /** The coefficient a of one element from its gates. */
  coefficient(act: FloatArray, o: number, u: number): number;
  /** Pre-activation gradients of one element into dA, from gs = ∂L/∂h_s and the previous state hPrev. */
  gateGrads(
    dA: FloatArray,
    x: number,
    act: FloatArray,
    o: number,
    u: number,
    gs: number,
    hPrev: number,
  ): void;
}

const ab = { a: 0, b: 0 };

/** Gates of step s from xp at input time t: act[s], the coefficients a[s] and b[s] (into h[s+1]). */
export function minCellGates(
  cell: MinCellEquations,
  act: FloatArray,
  a: FloatArray,
  h: FloatArray,
  xp: FloatArray,
  s: number,
  t: number,
  B: number,
  u: number,
): void {
  const G = cell.gates * u;
  const N = B * u;
  for (let b = 0; b < B; b++) {
    const xo = (t * B + b) * G;
    const ao = (s * B + b) * G;
    const lo = s * N + b * u;
    for (let j = 0; j < u; j++) {
      cell.forward(xp, xo + j, act, ao + j, u, ab);
      a[lo + j] = ab.a;
      h[lo + N + j] = ab.b;
    }
  }
}

/** a[s] from act into `a` at `ao` (the coefficients again, after the parallel scan overwrote them). */
export function minCellCoefficient(
  cell: MinCellEquations,
  a: FloatArray,
  ao: number,
  act: FloatArray,
  s: number,
  B: number,
  u: number,
): void {
  const G = cell.gates * u;
  for (let b = 0; b < B; b++) {
    const src = (s * B + b) * G;
    const dst = ao + b * u;
    for (let j = 0; j < u; j++) a[dst + j] = cell.coefficient(act, src + j, u);
  }
}

/**
 * Pre-activation gradients of step s into dA at input time t, from g = ∂L/∂h_s (total, [N] at go) and
 * the previous state h_{s−1} (hs at ho).
 */
export function minCellGateGrads(
  cell: MinCellEquations,
  dA: FloatArray,
  act: FloatArray,
  g: FloatArray,
  go: number,
  hs: FloatArray,
  ho: number,
  s: number,
  t: number,
  B: number,
  u: number,
): void {
  const G = cell.gates * u;
  for (let b = 0; b < B; b++) {
    const ao = (s * B + b) * G;
    const xo = (t * B + b) * G;
    const bo = b * u;
    for (let j = 0; j < u; j++) {
      cell.gateGrads(dA, xo + j, act, ao + j, u, g[go + bo + j]!, hs[ho + bo + j]!);
    }
  }
}
