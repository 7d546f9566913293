/** The LSTM cell (Keras; gate blocks i|f|g|o), forward and backward side by side. */
import { gate, gateGrad, gateSlope } from '../activations';
import type { FloatArray } from '../float-array';
import { addStepGradient, backpropRecurrent, inputTime, recurrentProduct } from './steps';
import type { RecurrentWorkspace } from './workspace';

/**
 * LSTM forward (Keras), every step: i, f, o = σ(x·W + h_in·U + b), g = tanh(·), c = f ⊙ c_prev + i ⊙ g,
 * h = o ⊙ tanh(c). Reads ws.xp [T,B,4u] (by input time), ws.hs[0], ws.cs[0] [B,u], U [u,4u]; writes
 * ws.hs, ws.cs [T+1,B,u], ws.act [T,B,4u] (i|f|g|o), ws.aux [T,B,u] (tanh c); ws.rec [B,4u] is scratch.
 */
export function lstmForward(ws: RecurrentWorkspace, U: FloatArray, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const slope = gateSlope(ws.config.recurrentActivation);
  const Bu = B * u;
  const { xp, hs, cs, act, aux, rec } = ws;
  const u2 = 2 * u;
  const u3 = 3 * u;
  for (let s = 0; s < T; s++) {
    const t = recurrentProduct(ws, U, s, B);
    const hOff = s * Bu;
    const nOff = hOff + Bu;
    for (let b = 0; b < B; b++) {
      const xo = (t * B + b) * G;
      const ro = b * G;
      const ao = (s * B + b) * G;
      const po = hOff + b * u;
      const no = nOff + b * u;
      for (let j = 0; j < u; j++) {
        const i = gate(xp[xo + j]! + rec[ro + j]!, slope);
        const f = gate(xp[xo + u + j]! + rec[ro + u + j]!, slope);
        const g = Math.tanh(xp[xo + u2 + j]! + rec[ro + u2 + j]!);
        const o = gate(xp[xo + u3 + j]! + rec[ro + u3 + j]!, slope);
        const c = f * cs[po + j]! + i * g;
        const tc = Math.tanh(c);
        act[ao + j] = i;
        act[ao + u + j] = f;
        act[ao + u2 + j] = g;
        act[ao + u3 + j] = o;
        cs[no + j] = c;
        aux[po + j] = tc;
        hs[no + j] = o * tc;
      }
    }
  }
}

/**
 * LSTM backward through time, after `lstmForward`. Reads ws.dHs [T,B,u], ws.act, ws.aux, ws.cs,
 * ws.ut [4u,u]; writes ws.dA (by input time) and ws.dRec (by processing step), both [T,B,4u], and leaves
 * ws.dh, ws.dc [B,u] = ∂L/∂h_0, ∂L/∂c_0.
 */
export function lstmBackward(ws: RecurrentWorkspace, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const slope = gateSlope(ws.config.recurrentActivation);
  const Bu = B * u;
  const u2 = 2 * u;
  const u3 = 3 * u;
  const { cs, act, aux, dA, dRec, dh, dc } = ws;
  for (let s = T - 1; s >= 0; s--) {
    const t = inputTime(ws, s);
    addStepGradient(ws, s, Bu);
    const hOff = s * Bu;
    for (let b = 0; b < B; b++) {
      const ao = (s * B + b) * G;
      const xo = (t * B + b) * G;
      const po = hOff + b * u;
      const bo = b * u;
      for (let j = 0; j < u; j++) {
        const g = dh[bo + j]!;
        const i = act[ao + j]!;
        const f = act[ao + u + j]!;
        const gg = act[ao + u2 + j]!;
        const o = act[ao + u3 + j]!;
        const tc = aux[po + j]!;
        const dct = dc[bo + j]! + g * o * (1 - tc * tc);
        const dai = dct * gg * gateGrad(i, slope);
        const daf = dct * cs[po + j]! * gateGrad(f, slope);
        const dag = dct * i * (1 - gg * gg);
        const dao = g * tc * gateGrad(o, slope);
        dc[bo + j] = dct * f;
        dh[bo + j] = 0;
        dA[xo + j] = dRec[ao + j] = dai;
        dA[xo + u + j] = dRec[ao + u + j] = daf;
        dA[xo + u2 + j] = dRec[ao + u2 + j] = dag;
        dA[xo + u3 + j] = dRec[ao + u3 + j] = dao;
      }
    }
    backpropRecurrent(ws, s, B);
  }
}
