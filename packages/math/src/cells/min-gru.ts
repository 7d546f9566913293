import type { FloatArray } from '../float-array';
import { candidate, candidateGrad, sigmoid } from './candidate';

/**
 * minGRU (Feng et al. 2024, "Were RNNs All We Needed?"), gates from the input only:
 *
 *     z_t = σ(x_t·W_z + b_z)            update gate
 *     h̃_t = g(x_t·W_h + b_h)            candidate, g the positive activation of `candidate.ts`
 *     h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ h̃_t  =  a_t ⊙ h_{t−1} + b_t,   a = 1 − z, b = z ⊙ h̃
 *
 * Weights: kernel [I, 2u], bias [2u], blocks z|h; no recurrent kernel.
 * Buffers (processing step s, input time t, B batch, u units, G = 2u, N = B·u):
 * xp [T,B,G] by t (pre-activations), act [T,B,G] by s (z|h̃), a [T,N] by s, h [T+1,N] by s.
 */
export const MIN_GRU_GATES = ['z', 'hCandidate'] as const;

/** Gates of step s from xp at input time t: act[s] = z|h̃, a[s] = 1 − z, h[s+1] = z ⊙ h̃. */
export function minGruGates(
  act: FloatArray,
  a: FloatArray,
  h: FloatArray,
  xp: FloatArray,
  s: number,
  t: number,
  B: number,
  u: number,
): void {
  const G = 2 * u;
  const N = B * u;
  for (let b = 0; b < B; b++) {
    const xo = (t * B + b) * G;
    const ao = (s * B + b) * G;
    const lo = s * N + b * u;
    for (let j = 0; j < u; j++) {
      const z = sigmoid(xp[xo + j]!);
      const hh = candidate(xp[xo + u + j]!);
      act[ao + j] = z;
      act[ao + u + j] = hh;
      a[lo + j] = 1 - z;
      h[lo + N + j] = z * hh;
    }
  }
}

/** a[s] = 1 − z_s from act (the coefficients again, after the parallel scan overwrote them). */
export function minGruCoefficient(
  a: FloatArray,
  ao: number,
  act: FloatArray,
  s: number,
  B: number,
  u: number,
): void {
  const G = 2 * u;
  for (let b = 0; b < B; b++) {
    const src = (s * B + b) * G;
    const dst = ao + b * u;
    for (let j = 0; j < u; j++) a[dst + j] = 1 - act[src + j]!;
  }
}

/**
 * Pre-activation gradients of step s into dA at input time t, from gs = ∂L/∂h_s (total, [N] at go) and
 * the previous state h_{s−1} (hs at ho): ∂a = gs ⊙ h_{s−1}, ∂b = gs;
 * dz = gs ⊙ (h̃ − h_{s−1}), dh̃ = gs ⊙ z; dA_z = dz ⊙ z(1 − z), dA_h = dh̃ ⊙ g′.
 */
export function minGruGateGrads(
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
  const G = 2 * u;
  for (let b = 0; b < B; b++) {
    const ao = (s * B + b) * G;
    const xo = (t * B + b) * G;
    const bo = b * u;
    for (let j = 0; j < u; j++) {
      const gs = g[go + bo + j]!;
      const z = act[ao + j]!;
      const hh = act[ao + u + j]!;
      dA[xo + j] = gs * (hh - hs[ho + bo + j]!) * z * (1 - z);
      dA[xo + u + j] = gs * z * candidateGrad(hh);
    }
  }
}
