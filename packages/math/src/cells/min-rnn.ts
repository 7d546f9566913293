import type { FloatArray } from '../float-array';
import { scanBackward, scanForward } from './linear-scan';
import { type MinCellEquations, minCellCoefficients, minCellGateGrads, minCellGates } from './min-cell';
import { minGru } from './min-gru';
import { minLstm } from './min-lstm';
import { projectInputs } from './steps';
import type { RecurrentParams, RecurrentWorkspace } from './workspace';

function equations(ws: RecurrentWorkspace): MinCellEquations {
  return ws.config.cell === 'mingru' ? minGru : minLstm;
}

/**
 * One direction of a `mingru` / `minlstm` layer on a `RecurrentWorkspace` (the cells' own equations are
 * in `min-gru.ts` and `min-lstm.ts`):
 * 1. all pre-activations in one GEMM, xp = x·W + b: [T,B,G] by input time;
 * 2. the gates of every step (independent of each other): act [T,B,G], the coefficients a [T,B·u]
 *    (in ws.aux) and b [T,B·u] (in the state slots hs[1…T]);
 * 3. the recurrence h_s = a_s ⊙ h_{s−1} + b_s, step by step or as a chunked scan (`ws.scan`,
 *    `linear-scan.ts`).
 * Backward: the gradient recurrence g_s = ∂L/∂h_s + a_{s+1} ⊙ g_{s+1} (same schedule; g in ws.hin,
 * which these cells do not otherwise use), the gate gradients of every step into dA [T,B,G] by input
 * time, then dW += xᵀ·dA, db += Σ dA, dx += dA·Wᵀ. Afterwards ws.dh: [B,u] = a_0 ⊙ g_0, the gradient
 * w.r.t. the initial state.
 */
export function minRecurrentForward(
  ws: RecurrentWorkspace,
  x: FloatArray,
  params: RecurrentParams,
  B: number,
  h0: FloatArray | null,
): void {
  const T = ws.T;
  const u = ws.config.units;
  const N = B * u;
  projectInputs(ws, x, params.kernel, params.bias, B);
  const { hs, aux } = ws;
  if (h0 !== null) for (let k = 0; k < N; k++) hs[k] = h0[k]!;
  else hs.fill(0, 0, N);
  minCellGates(equations(ws), ws, B);
  scanForward(hs, aux, T, N, ws.scan);
}

/** The backward pass up to the gate gradients: returns dA [T,B,G] by input time (the caller adds dW, db, dx). */
export function minRecurrentBackward(ws: RecurrentWorkspace, B: number): FloatArray {
  const T = ws.T;
  const u = ws.config.units;
  const N = B * u;
  const { aux: c, hin: g, dHs, dA, dh } = ws;
  const cell = equations(ws);
  // c[s] = a[s+1]; g = dHs.
  minCellCoefficients(cell, ws, c, 0, 1, T, B);
  g.set(dHs.subarray(0, T * N));
  scanBackward(g, c, T, N, ws.scan);
  minCellGateGrads(cell, ws, g, B);
  // ∂L/∂h_0 = a_0 ⊙ g_0.
  minCellCoefficients(cell, ws, dh, 0, 0, 1, B);
  for (let k = 0; k < N; k++) dh[k] = dh[k]! * g[k]!;
  return dA;
}
