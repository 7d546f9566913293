/** The SimpleRNN cell (tanh), forward and backward side by side. */
import type { FloatArray } from '../float-array';
import { operand } from '../wasm/ops';
import { backwardSteps, cellKernel, forwardSteps, gateBlocks, type RowVisitor, stateSlot } from './steps';
import type { RecurrentWorkspace } from './workspace';

/**
 * SimpleRNN forward, every step: h = tanh(x·W + h_in·U + b). Reads ws.xp [T,B,u] (by input time),
 * ws.hs[0] [B,u], U [u,u]; writes ws.hs [T+1,B,u]; ws.rec [B,u] is scratch. The WebAssembly kernel
 * `tanh_of_sum` does the leading multiple-of-4 columns, the loop the rest.
 */
export function simpleRnnForward(ws: RecurrentWorkspace, U: FloatArray, B: number): void {
  const { G } = ws;
  const u = ws.config.units;
  const Bu = B * u;
  const { xp, hs, rec } = ws;
  const { kernel, done } = cellKernel(
    ws,
    'tanh_of_sum',
    [stateSlot(ws, hs, 1, B), ...gateBlocks(ws, xp, 1, B, 'inputTime'), operand(rec, 0, G)],
    B,
  );
  const step: RowVisitor = (xo, ro, _ao, ho) => {
    for (let j = done; j < u; j++) hs[ho + Bu + j] = Math.tanh(xp[xo + j]! + rec[ro + j]!);
  };
  forwardSteps(ws, U, B, kernel, step);
}

/**
 * SimpleRNN backward through time, after `simpleRnnForward`. Reads ws.dHs [T,B,u], ws.hs, ws.ut [u,u];
 * writes ws.dRec [T,B,u] (by processing step; with `goBackwards` also ws.dA by input time) and leaves
 * ws.dh = ∂L/∂h_0. The WebAssembly kernel `rnn_bwd` does the leading multiple-of-4 columns.
 */
export function simpleRnnBackward(ws: RecurrentWorkspace, B: number): void {
  const u = ws.config.units;
  const Bu = B * u;
  const { hs, dRec, dh } = ws;
  const dhv = operand(dh, 0, u);
  const { kernel, done } = cellKernel(
    ws,
    'rnn_bwd',
    [dhv, ...gateBlocks(ws, dRec, 1, B), dhv, stateSlot(ws, hs, 1, B)],
    B,
  );
  const step: RowVisitor = (_xo, _ro, ao, ho, bo) => {
    for (let j = done; j < u; j++) {
      const h = hs[ho + Bu + j]!;
      dRec[ao + j] = dh[bo + j]! * (1 - h * h);
      dh[bo + j] = 0;
    }
  };
  backwardSteps(ws, B, kernel, step);
}
