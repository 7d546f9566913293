import { candidate, candidateGrad, sigmoid } from './candidate';
import type { MinCellEquations } from './min-cell';

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

export const minGru: MinCellEquations = {
  gates: 2,
  kernels: { forward: 'mingru_fwd', gateGrads: 'mingru_bwd', coefficient: 'mingru_coef' },
  /** act = z|h̃, a = 1 − z, b = z ⊙ h̃. */
  forward(xp, x, act, o, u, ab) {
    const z = sigmoid(xp[x]!);
    const hh = candidate(xp[x + u]!);
    act[o] = z;
    act[o + u] = hh;
    ab.a = 1 - z;
    ab.b = z * hh;
  },
  coefficient(act, o) {
    return 1 - act[o]!;
  },
  /**
   * ∂a = gs ⊙ h_{s−1}, ∂b = gs; dz = gs ⊙ (h̃ − h_{s−1}), dh̃ = gs ⊙ z; dA_z = dz ⊙ z(1 − z),
   * dA_h = dh̃ ⊙ g′.
   */
  gateGrads(dA, x, act, o, u, gs, hPrev) {
    const z = act[o]!;
    const hh = act[o + u]!;
    dA[x] = gs * (hh - hPrev) * z * (1 - z);
    dA[x + u] = gs * z * candidateGrad(hh);
  },
};
