import { candidate, candidateGrad, sigmoid } from './candidate';
import type { MinCellEquations } from './min-cell';

/**
 * minLSTM (Feng et al. 2024, "Were RNNs All We Needed?"), gates from the input only, normalized so the
 * state's scale does not depend on time:
 *
 *     i_t = σ(x_t·W_i + b_i),  f_t = σ(x_t·W_f + b_f),  h̃_t = g(x_t·W_h + b_h)
 *     f′_t = f_t / (f_t + i_t),  i′_t = i_t / (f_t + i_t)
 *     h_t = f′_t ⊙ h_{t−1} + i′_t ⊙ h̃_t  =  a_t ⊙ h_{t−1} + b_t
 *
 * Weights: kernel [I, 3u], bias [3u], blocks i|f|h (Keras' LSTM order without o); no recurrent kernel.
 * Buffers (processing step s, input time t, B batch, u units, G = 3u, N = B·u):
 * xp [T,B,G] by t (pre-activations), act [T,B,G] by s (i|f|h̃), a [T,N] by s, h [T+1,N] by s.
 */
export const MIN_LSTM_GATES = ['i', 'f', 'hCandidate'] as const;

export const minLstm: MinCellEquations = {
  gates: 3,
  kernels: { forward: 'minlstm_fwd', gateGrads: 'minlstm_bwd', coefficient: 'minlstm_coef' },
  /** act = i|f|h̃, a = f′, b = i′ ⊙ h̃. */
  forward(xp, x, act, o, u, ab) {
    const i = sigmoid(xp[x]!);
    const f = sigmoid(xp[x + u]!);
    const hh = candidate(xp[x + 2 * u]!);
    const sum = f + i;
    act[o] = i;
    act[o + u] = f;
    act[o + 2 * u] = hh;
    ab.a = f / sum;
    ab.b = (i / sum) * hh;
  },
  coefficient(act, o, u) {
    const f = act[o + u]!;
    return f / (f + act[o]!);
  },
  /**
   * ∂f′ = gs ⊙ h_{s−1}, ∂i′ = gs ⊙ h̃, dh̃ = gs ⊙ i′; with S = f + i, df = i (∂f′ − ∂i′) / S²,
   * di = f (∂i′ − ∂f′) / S²; dA_i = di ⊙ i(1 − i), dA_f = df ⊙ f(1 − f), dA_h = dh̃ ⊙ g′.
   */
  gateGrads(dA, x, act, o, u, gs, hPrev) {
    const i = act[o]!;
    const f = act[o + u]!;
    const hh = act[o + 2 * u]!;
    const sum = f + i;
    const dF = gs * hPrev;
    const dI = gs * hh;
    const q = (dF - dI) / (sum * sum);
    dA[x] = -f * q * i * (1 - i);
    dA[x + u] = i * q * f * (1 - f);
    dA[x + 2 * u] = gs * (i / sum) * candidateGrad(hh);
  },
};
