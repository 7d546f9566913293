import type { FloatArray } from '../float-array';
import { candidate, candidateGrad, sigmoid } from './candidate';

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

/** Gates of step s from xp at input time t: act[s] = i|f|h̃, a[s] = f′, h[s+1] = i′ ⊙ h̃. */
export function minLstmGates(
  act: FloatArray,
  a: FloatArray,
  h: FloatArray,
  xp: FloatArray,
  s: number,
  t: number,
  B: number,
  u: number,
): void {
  const G = 3 * u;
  const N = B * u;
  for (let b = 0; b < B; b++) {
    const xo = (t * B + b) * G;
    const ao = (s * B + b) * G;
    const lo = s * N + b * u;
    for (let j = 0; j < u; j++) {
      const i = sigmoid(xp[xo + j]!);
      const f = sigmoid(xp[xo + u + j]!);
      const hh = candidate(xp[xo + 2 * u + j]!);
      const sum = f + i;
      act[ao + j] = i;
      act[ao + u + j] = f;
      act[ao + 2 * u + j] = hh;
      a[lo + j] = f / sum;
      h[lo + N + j] = (i / sum) * hh;
    }
  }
}

/** a[s] = f′_s from act (the coefficients again, after the parallel scan overwrote them). */
export function minLstmCoefficient(
  a: FloatArray,
  ao: number,
  act: FloatArray,
  s: number,
  B: number,
  u: number,
): void {
  const G = 3 * u;
  for (let b = 0; b < B; b++) {
    const src = (s * B + b) * G;
    const dst = ao + b * u;
    for (let j = 0; j < u; j++) {
      const f = act[src + u + j]!;
      a[dst + j] = f / (f + act[src + j]!);
    }
  }
}

/**
 * Pre-activation gradients of step s into dA at input time t, from gs = ∂L/∂h_s and h_{s−1}:
 * ∂f′ = gs ⊙ h_{s−1}, ∂i′ = gs ⊙ h̃, dh̃ = gs ⊙ i′; with S = f + i,
 * df = i (∂f′ − ∂i′) / S², di = f (∂i′ − ∂f′) / S²; dA_i = di ⊙ i(1 − i), dA_f = df ⊙ f(1 − f), dA_h = dh̃ ⊙ g′.
 */
export function minLstmGateGrads(
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
  const G = 3 * u;
  for (let b = 0; b < B; b++) {
    const ao = (s * B + b) * G;
    const xo = (t * B + b) * G;
    const bo = b * u;
    for (let j = 0; j < u; j++) {
      const gs = g[go + bo + j]!;
      const i = act[ao + j]!;
      const f = act[ao + u + j]!;
      const hh = act[ao + 2 * u + j]!;
      const sum = f + i;
      const dF = gs * hs[ho + bo + j]!;
      const dI = gs * hh;
      const q = (dF - dI) / (sum * sum);
      dA[xo + j] = -f * q * i * (1 - i);
      dA[xo + u + j] = i * q * f * (1 - f);
      dA[xo + 2 * u + j] = gs * (i / sum) * candidateGrad(hh);
    }
  }
}
