/**
 * One direction of a recurrent layer over a whole sequence: `recurrentForward` picks the cell and walks
 * time, `recurrentBackward` runs backpropagation through time and the weight gradients (conventions on
 * `RecurrentCellConfig` in `workspace.ts`).
 */
import type { FloatArray } from '../float-array';
import { gemmNN, gemmTN, transpose } from '../gemm';
import { isMinCell } from '../spec';
import { replaySteps } from './fused-steps';
import { gruBackwardAfter, gruBackwardBefore, gruForwardAfter, gruForwardBefore } from './gru';
import { lstmBackward, lstmForward } from './lstm';
import { minRecurrentBackward, minRecurrentForward } from './min-rnn';
import { simpleRnnBackward, simpleRnnForward } from './simple-rnn';
import { addInputGradient, addInputWeightGradients, projectInputs } from './steps';
import type { RecurrentGrads, RecurrentParams, RecurrentWorkspace } from './workspace';

/**
 * Runs one direction of a recurrent layer over a whole sequence.
 * x: [T,B,I] (time-major), h0: [B,u] or null (zeros), c0: [B,u] or null (LSTM), fills ws.hs: [T+1,B,u]
 */
export function recurrentForward(
  ws: RecurrentWorkspace,
  x: FloatArray,
  params: RecurrentParams,
  B: number,
  h0: FloatArray | null,
  c0: FloatArray | null,
): void {
  ws.ensureCapacity(B);
  ws.B = B;
  const config = ws.config;
  const u = config.units;
  if (isMinCell(config.cell)) {
    minRecurrentForward(ws, x, params, B, h0);
    return;
  }
  const { recurrentKernel, bias } = params;
  projectInputs(ws, x, params.kernel, bias, B);

  const hs = ws.hs;
  const Bu = B * u;
  if (h0 !== null) for (let k = 0; k < Bu; k++) hs[k] = h0[k]!;
  else hs.fill(0, 0, Bu);
  if (config.cell === 'lstm') {
    const cs = ws.cs;
    if (c0 !== null) for (let k = 0; k < Bu; k++) cs[k] = c0[k]!;
    else cs.fill(0, 0, Bu);
  }

  // The time loop recorded by an earlier pass on these buffers, as one WebAssembly call (fused-steps.ts).
  if (replaySteps(ws, params, B)) return;
  if (config.cell === 'gru') {
    if (config.resetAfter) gruForwardAfter(ws, recurrentKernel, bias, B);
    else gruForwardBefore(ws, recurrentKernel, B);
  } else if (config.cell === 'lstm') {
    lstmForward(ws, recurrentKernel, B);
  } else {
    simpleRnnForward(ws, recurrentKernel, B);
  }
}

/**
 * Backpropagation through time for one direction, after `recurrentForward` on the same workspace.
 * Reads ws.dHs: [T,B,u] (gradient w.r.t. the state after each processing step; must be filled by the
 * caller), adds into grads (+=) and, when dx is given, into dx: [T,B,I] (+=). Afterwards ws.dh: [B,u]
 * (and ws.dc for LSTM) hold the gradient w.r.t. the initial state.
 */
export function recurrentBackward(
  ws: RecurrentWorkspace,
  grads: RecurrentGrads,
  dx: FloatArray | null,
  x: FloatArray,
  params: RecurrentParams,
): void {
  const B = ws.B;
  ws.ensureBackwardCapacity(B);
  const dA = isMinCell(ws.config.cell) ? minRecurrentBackward(ws, B) : gatedBackward(ws, grads, params, B);
  addInputWeightGradients(ws, grads.kernel, grads.bias, x, dA, B);
  if (dx !== null) addInputGradient(ws, dx, dA, params.kernel, B);
}

/**
 * Backpropagation through time of a GRU, LSTM or SimpleRNN and its recurrent weights' gradients; returns
 * the gate gradients by input time for the input weights and dx.
 */
function gatedBackward(
  ws: RecurrentWorkspace,
  grads: RecurrentGrads,
  params: RecurrentParams,
  B: number,
): FloatArray {
  const { T, G, config } = ws;
  const u = config.units;
  const TB = T * B;
  const Bu = B * u;
  transpose(ws.ut, params.recurrentKernel, u, G);
  ws.dh.fill(0, 0, Bu);
  if (config.cell === 'lstm') ws.dc.fill(0, 0, Bu);

  if (config.cell === 'gru') {
    if (config.resetAfter) gruBackwardAfter(ws, B);
    else gruBackwardBefore(ws, B);
  } else if (config.cell === 'lstm') {
    lstmBackward(ws, B);
  } else {
    simpleRnnBackward(ws, B);
  }

  const dRec = ws.dRec;
  // dU += h_inᵀ · dRec  (GRU resetAfter false: the h block pairs with r ⊙ h_in)
  const hinAll = ws.recurrentMask !== null ? ws.hin : ws.hs;
  if (config.cell === 'gru' && !config.resetAfter) {
    gemmTN(grads.recurrentKernel, 0, G, hinAll, 0, u, dRec, 0, G, u, 2 * u, TB, 1);
    gemmTN(grads.recurrentKernel, 2 * u, G, ws.aux, 0, u, dRec, 2 * u, G, u, u, TB, 1);
  } else {
    gemmTN(grads.recurrentKernel, 0, G, hinAll, 0, u, dRec, 0, G, u, G, TB, 1);
  }
  if (config.cell === 'gru' && config.resetAfter) addColumnSums(ws, grads.bias, G, dRec, G, TB, G);
  return inputGradients(ws);
}

/**
 * The gate gradients per input time step, [T·B, G]: `dA`, or `dRec` itself when the two coincide (every
 * cell processed forwards but the GRU with resetAfter, whose dRec ĥ block is the gradient after r ⊙):
 * those backward passes write dRec, and copy it to dA by input time only with `goBackwards`.
 */
function inputGradients(ws: RecurrentWorkspace): FloatArray {
  const c = ws.config;
  return c.goBackwards || (c.cell === 'gru' && c.resetAfter) ? ws.dA : ws.dRec;
}

/** out[off + j] += Σ_r a[r·lda + j] for r < rows, j < N: a product 1ᵀ·A on the GEMM kernels. */
function addColumnSums(
  ws: RecurrentWorkspace,
  out: FloatArray,
  off: number,
  a: FloatArray,
  lda: number,
  rows: number,
  N: number,
): void {
  if (ws.ones.length >= rows) {
    gemmNN(out, off, N, ws.ones, 0, rows, a, 0, lda, 1, N, rows, 1);
    return;
  }
  for (let r = 0; r < rows; r++) {
    const o = r * lda;
    for (let j = 0; j < N; j++) out[off + j]! += a[o + j]!;
  }
}
