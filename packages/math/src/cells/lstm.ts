/** The LSTM cell (Keras; gate blocks i|f|g|o), forward and backward side by side. */
import { gate, gateGrad } from '../activations';
import type { FloatArray } from '../float-array';
import { operand } from '../wasm/ops';
import {
  afterProductOperands,
  backwardSteps,
  cellKernel,
  forwardSteps,
  gateBlocks,
  type RowVisitor,
  stateSlot,
} from './steps';
import type { RecurrentWorkspace } from './workspace';

/**
 * LSTM forward (Keras), every step: i, f, o = σ(x·W + h_in·U + b), g = tanh(·), c = f ⊙ c_prev + i ⊙ g,
 * h = o ⊙ tanh(c). Reads ws.xp [T,B,4u] (by input time), ws.hs[0], ws.cs[0] [B,u], U [u,4u]; writes
 * ws.hs, ws.cs [T+1,B,u], ws.act [T,B,4u] (i|f|g|o), ws.aux [T,B,u] (tanh c); ws.rec [B,4u] is scratch.
 * With sigmoid gates the WebAssembly kernel `lstm_fwd` does the leading multiple-of-4 columns of every
 * step in one pass; the loop below the rest (or everything, on the TypeScript kernels).
 */
export function lstmForward(ws: RecurrentWorkspace, U: FloatArray, B: number): void {
  const u = ws.config.units;
  const Bu = B * u;
  const { slope, xp, hs, cs, act, aux, rec } = ws;
  const u2 = 2 * u;
  const u3 = 3 * u;
  const { kernel, done } = cellKernel(
    ws,
    'lstm_fwd',
    afterProductOperands(
      ws,
      B,
      [stateSlot(ws, cs, 1, B), stateSlot(ws, aux, 0, B), stateSlot(ws, hs, 1, B)],
      [stateSlot(ws, cs, 0, B)],
    ),
    B,
    slope === 0,
  );
  const step: RowVisitor = (xo, ro, ao, po) => {
    for (let j = done; j < u; j++) {
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
      cs[po + Bu + j] = c;
      aux[po + j] = tc;
      hs[po + Bu + j] = o * tc;
    }
  };
  forwardSteps(ws, U, B, kernel, step);
}

/**
 * LSTM backward through time, after `lstmForward`. Reads ws.dHs [T,B,u], ws.act, ws.aux, ws.cs,
 * ws.ut [4u,u]; writes ws.dRec [T,B,4u] (by processing step; with `goBackwards` also ws.dA by input
 * time) and leaves ws.dh, ws.dc [B,u] = ∂L/∂h_0, ∂L/∂c_0. With sigmoid gates the WebAssembly kernel
 * `lstm_bwd` does the leading multiple-of-4 columns.
 */
export function lstmBackward(ws: RecurrentWorkspace, B: number): void {
  const u = ws.config.units;
  const u2 = 2 * u;
  const u3 = 3 * u;
  const { slope, cs, act, aux, dRec, dh, dc } = ws;
  // dh, dc are read (g and the running ∂L/∂c) and written (0 and ∂L/∂c_prev).
  const running = [operand(dh, 0, u), operand(dc, 0, u)];
  const inputs = [...gateBlocks(ws, act, 4, B), stateSlot(ws, aux, 0, B), stateSlot(ws, cs, 0, B)];
  const operands = [...running, ...gateBlocks(ws, dRec, 4, B), ...running, ...inputs];
  const { kernel, done } = cellKernel(ws, 'lstm_bwd', operands, B, slope === 0);
  const step: RowVisitor = (_xo, _ro, ao, po, bo) => {
    for (let j = done; j < u; j++) {
      const g = dh[bo + j]!;
      const i = act[ao + j]!;
      const f = act[ao + u + j]!;
      const gg = act[ao + u2 + j]!;
      const o = act[ao + u3 + j]!;
      const tc = aux[po + j]!;
      const dct = dc[bo + j]! + g * o * (1 - tc * tc);
      dc[bo + j] = dct * f;
      dh[bo + j] = 0;
      dRec[ao + j] = dct * gg * gateGrad(i, slope);
      dRec[ao + u + j] = dct * cs[po + j]! * gateGrad(f, slope);
      dRec[ao + u2 + j] = dct * i * (1 - gg * gg);
      dRec[ao + u3 + j] = g * tc * gateGrad(o, slope);
    }
  };
  backwardSteps(ws, B, kernel, step);
}
