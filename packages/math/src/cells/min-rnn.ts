import type { FloatArray } from '../float-array';
import { gemmNN, gemmTN, transpose } from '../gemm';
import type { CellType } from '../spec';
import { type ScanSchedule, scanBackward, scanForward } from './linear-scan';
import { minGruCoefficient, minGruGateGrads, minGruGates } from './min-gru';
import { minLstmCoefficient, minLstmGateGrads, minLstmGates } from './min-lstm';

/** The weights of one direction (the fields of `RecurrentParams`; minimal cells have no recurrent kernel). */
interface MinParams {
  readonly kernel: FloatArray;
  readonly bias: FloatArray;
}

/** Gradient buffers of one direction (the fields of `RecurrentGrads` a minimal cell adds into). */
interface MinGrads {
  readonly kernel: FloatArray;
  readonly bias: FloatArray;
}

/**
 * The part of `RecurrentWorkspace` (workspace.ts) a minimal cell uses.
 */
export interface MinWorkspace {
  readonly config: {
    readonly cell: CellType;
    readonly units: number;
    readonly inputSize: number;
    readonly goBackwards: boolean;
  };
  readonly T: number;
  readonly G: number;
  hs: FloatArray;
  act: FloatArray;
  dHs: FloatArray;
  dA: FloatArray;
  B: number;
  xp: FloatArray;
  aux: FloatArray;
  hin: FloatArray;
  xm: FloatArray;
  inputMask: FloatArray | null;
  scan: ScanSchedule;
  dh: FloatArray;
  wt: FloatArray;
  dxm: FloatArray;
  ones: FloatArray;
  ensureBackwardCapacity(batch: number): void;
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
  ws: MinWorkspace,
  x: FloatArray,
  params: MinParams,
  B: number,
  h0: FloatArray | null,
): void {
  const { T, G, config } = ws;
  const u = config.units;
  const I = config.inputSize;
  const TB = T * B;
  const N = B * u;
  const xin = maskedInput(ws, x, B);
  const xp = ws.xp;
  for (let j = 0; j < G; j++) xp[j] = params.bias[j]!;
  for (let rows = 1; rows < TB; rows *= 2) xp.copyWithin(rows * G, 0, Math.min(rows, TB - rows) * G);
  gemmNN(xp, 0, G, xin, 0, I, params.kernel, 0, G, TB, G, I, 1);
  const { hs, act, aux } = ws;
  if (h0 !== null) for (let k = 0; k < N; k++) hs[k] = h0[k]!;
  else hs.fill(0, 0, N);
  const gates = config.cell === 'mingru' ? minGruGates : minLstmGates;
  for (let s = 0; s < T; s++) gates(act, aux, hs, xp, s, inputTime(ws, s), B, u);
  scanForward(hs, aux, T, N, ws.scan);
}

export function minRecurrentBackward(
  ws: MinWorkspace,
  grads: MinGrads,
  dx: FloatArray | null,
  x: FloatArray,
  params: MinParams,
): void {
  const B = ws.B;
  ws.ensureBackwardCapacity(B);
  const { T, G, config } = ws;
  const u = config.units;
  const I = config.inputSize;
  const TB = T * B;
  const N = B * u;
  const { hs, act, aux: c, hin: g, dHs, dA, dh } = ws;
  const coefficient = config.cell === 'mingru' ? minGruCoefficient : minLstmCoefficient;
  const gateGrads = config.cell === 'mingru' ? minGruGateGrads : minLstmGateGrads;
  // c[s] = a[s+1]; g = dHs.
  for (let s = 0; s + 1 < T; s++) coefficient(c, s * N, act, s + 1, B, u);
  for (let k = 0; k < T * N; k++) g[k] = dHs[k]!;
  scanBackward(g, c, T, N, ws.scan);
  for (let s = 0; s < T; s++) gateGrads(dA, act, g, s * N, hs, s * N, s, inputTime(ws, s), B, u);
  // ∂L/∂h_0 = a_0 ⊙ g_0.
  coefficient(dh, 0, act, 0, B, u);
  for (let k = 0; k < N; k++) dh[k] = dh[k]! * g[k]!;

  const xin = ws.inputMask !== null ? ws.xm : x;
  gemmTN(grads.kernel, 0, G, xin, 0, I, dA, 0, G, I, G, TB, 1);
  gemmNN(grads.bias, 0, G, ws.ones, 0, TB, dA, 0, G, 1, G, TB, 1);
  if (dx === null) return;
  transpose(ws.wt, params.kernel, I, G);
  const im = ws.inputMask;
  if (im === null) {
    gemmNN(dx, 0, I, dA, 0, G, ws.wt, 0, I, TB, I, G, 1);
    return;
  }
  const dxm = ws.dxm;
  gemmNN(dxm, 0, I, dA, 0, G, ws.wt, 0, I, TB, I, G, 0);
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const o = (t * B + b) * I;
      const mo = b * I;
      for (let i = 0; i < I; i++) dx[o + i]! += dxm[o + i]! * im[mo + i]!;
    }
  }
}

function inputTime(ws: MinWorkspace, s: number): number {
  return ws.config.goBackwards ? ws.T - 1 - s : s;
}

/** x ⊙ input mask into ws.xm (one mask per sequence), or x itself without a mask. */
function maskedInput(ws: MinWorkspace, x: FloatArray, B: number): FloatArray {
  const im = ws.inputMask;
  if (im === null) return x;
  const { T } = ws;
  const I = ws.config.inputSize;
  const xm = ws.xm;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const o = (t * B + b) * I;
      const mo = b * I;
      for (let i = 0; i < I; i++) xm[o + i] = x[o + i]! * im[mo + i]!;
    }
  }
  return xm;
}
