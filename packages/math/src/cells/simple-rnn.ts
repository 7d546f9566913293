/** The SimpleRNN cell (tanh), forward and backward side by side. */
import type { FloatArray } from '../float-array';
import { addStepGradient, backpropRecurrent, inputTime, recurrentProduct } from './steps';
import type { RecurrentWorkspace } from './workspace';

/**
 * SimpleRNN forward, every step: h = tanh(x·W + h_in·U + b). Reads ws.xp [T,B,u] (by input time),
 * ws.hs[0] [B,u], U [u,u]; writes ws.hs [T+1,B,u]; ws.rec [B,u] is scratch.
 */
export function simpleRnnForward(ws: RecurrentWorkspace, U: FloatArray, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const Bu = B * u;
  const { xp, hs, rec } = ws;
  for (let s = 0; s < T; s++) {
    const t = recurrentProduct(ws, U, s, B);
    const hOff = s * Bu;
    const nOff = hOff + Bu;
    for (let b = 0; b < B; b++) {
      const xo = (t * B + b) * G;
      const ro = b * G;
      const no = nOff + b * u;
      for (let j = 0; j < u; j++) hs[no + j] = Math.tanh(xp[xo + j]! + rec[ro + j]!);
    }
  }
}

/**
 * SimpleRNN backward through time, after `simpleRnnForward`. Reads ws.dHs [T,B,u], ws.hs, ws.ut [u,u];
 * writes ws.dA (by input time) and ws.dRec (by processing step), both [T,B,u], and leaves ws.dh = ∂L/∂h_0.
 */
export function simpleRnnBackward(ws: RecurrentWorkspace, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const Bu = B * u;
  const { hs, dA, dRec, dh } = ws;
  for (let s = T - 1; s >= 0; s--) {
    const t = inputTime(ws, s);
    addStepGradient(ws, s, Bu);
    const nOff = (s + 1) * Bu;
    for (let b = 0; b < B; b++) {
      const ao = (s * B + b) * G;
      const xo = (t * B + b) * G;
      const bo = b * u;
      for (let j = 0; j < u; j++) {
        const h = hs[nOff + bo + j]!;
        const da = dh[bo + j]! * (1 - h * h);
        dh[bo + j] = 0;
        dA[xo + j] = dRec[ao + j] = da;
      }
    }
    backpropRecurrent(ws, s, B);
  }
}
