/**
 * What every cell does, below the cells so each can use it: the masked input projection of a whole
 * sequence and its gradient into dx, which input time a processing step reads, the masked previous
 * state, and the two sums into the running state gradient.
 */
import type { FloatArray } from '../float-array';
import { gemmNN, gemmTN, transpose } from '../gemm';
import type { GateKernelName } from '../wasm/gate-module';
import { bindGateKernel, type GateKernel, kernelColumns, operand, type StepOperand } from '../wasm/ops';
import { fuseSteps, recordRecurrentProduct } from './fused-steps';
import type { RecurrentWorkspace } from './workspace';

/**
 * Input projection of all time steps in one GEMM: ws.xp [T,B,G] = x_in·W + bias[0:G], with x_in = x ⊙ the
 * input mask (one per sequence, applied to every step; into ws.xm) or x itself. Returns x_in.
 */
export function projectInputs(
  ws: RecurrentWorkspace,
  x: FloatArray,
  kernel: FloatArray,
  bias: FloatArray,
  B: number,
): FloatArray {
  const { T, G } = ws;
  const I = ws.config.inputSize;
  const TB = T * B;
  let xin = x;
  const im = ws.inputMask;
  if (im !== null) {
    maskEveryStep(ws, ws.xm, x, im, B, false);
    xin = ws.xm;
  }
  const xp = ws.xp;
  for (let j = 0; j < G; j++) xp[j] = bias[j]!;
  for (let rows = 1; rows < TB; rows *= 2) xp.copyWithin(rows * G, 0, Math.min(rows, TB - rows) * G);
  gemmNN(xp, 0, G, xin, 0, I, kernel, 0, G, TB, G, I, 1);
  return xin;
}

/** dx [T,B,I] += (dA·Wᵀ) ⊙ the input mask, dA [T,B,G] the input projection's gradient by input time. */
export function addInputGradient(
  ws: RecurrentWorkspace,
  dx: FloatArray,
  dA: FloatArray,
  kernel: FloatArray,
  B: number,
): void {
  const { T, G } = ws;
  const I = ws.config.inputSize;
  const TB = T * B;
  transpose(ws.wt, kernel, I, G);
  const im = ws.inputMask;
  if (im === null) {
    gemmNN(dx, 0, I, dA, 0, G, ws.wt, 0, I, TB, I, G, 1);
    return;
  }
  gemmNN(ws.dxm, 0, I, dA, 0, G, ws.wt, 0, I, TB, I, G, 0);
  maskEveryStep(ws, dx, ws.dxm, im, B, true);
}

/** out = v ⊙ mask (`add`: out += v ⊙ mask) on [T,B,I], the [B,I] input mask of each sequence on every step. */
function maskEveryStep(
  ws: RecurrentWorkspace,
  out: FloatArray,
  v: FloatArray,
  mask: FloatArray,
  B: number,
  add: boolean,
): void {
  const I = ws.config.inputSize;
  const BI = B * I;
  for (let o = 0; o < ws.T * BI; o += BI) {
    if (add) for (let k = 0; k < BI; k++) out[o + k]! += v[o + k]! * mask[k]!;
    else for (let k = 0; k < BI; k++) out[o + k] = v[o + k]! * mask[k]!;
  }
}

/** The input time step `t` processing step `s` reads: `s`, or `T−1−s` with `goBackwards`. */
export function inputTime(ws: RecurrentWorkspace, s: number): number {
  return ws.config.goBackwards ? ws.T - 1 - s : s;
}

/** Masks the previous state of step s into ws.hin (when a recurrent mask is set); returns the buffer to use. */
export function recurrentInput(ws: RecurrentWorkspace, s: number, B: number): FloatArray {
  const rm = ws.recurrentMask;
  if (rm === null) return ws.hs;
  const u = ws.config.units;
  const Bu = B * u;
  const hs = ws.hs;
  const hin = ws.hin;
  const o = s * Bu;
  for (let k = 0; k < Bu; k++) hin[o + k] = hs[o + k]! * rm[k]!;
  return hin;
}

/**
 * ws.rec [B,G] = h_in · U for processing step s, h_in the (masked) previous state; returns the input
 * time step t that step s reads.
 */
export function recurrentProduct(ws: RecurrentWorkspace, U: FloatArray, s: number, B: number): number {
  const { G } = ws;
  const u = ws.config.units;
  gemmNN(ws.rec, 0, G, recurrentInput(ws, s, B), s * B * u, u, U, 0, G, B, G, u, 0);
  return inputTime(ws, s);
}

/** dh += (dRec[s] · Uᵀ) ⊙ mask: the gate gradients of step s back into the previous state. */
export function backpropRecurrent(ws: RecurrentWorkspace, s: number, B: number): void {
  const { G } = ws;
  const u = ws.config.units;
  gemmNN(ws.dhin, 0, u, ws.dRec, s * B * G, G, ws.ut, 0, u, B, u, G, 0);
  addRecurrentPath(ws, B * u);
}

/**
 * The input weights' gradients: dW [I,G] += x_inᵀ · dA and bias[0:G] += Σ_rows dA (a product 1ᵀ·dA),
 * dA [T,B,G] by input time, x_in the masked input `projectInputs` used (or x).
 */
export function addInputWeightGradients(
  ws: RecurrentWorkspace,
  kernelGrad: FloatArray,
  biasGrad: FloatArray,
  x: FloatArray,
  dA: FloatArray,
  B: number,
): void {
  const { T, G } = ws;
  const I = ws.config.inputSize;
  const TB = T * B;
  const xin = ws.inputMask !== null ? ws.xm : x;
  gemmTN(kernelGrad, 0, G, xin, 0, I, dA, 0, G, I, G, TB, 1);
  gemmNN(biasGrad, 0, G, ws.ones, 0, TB, dA, 0, G, 1, G, TB, 1);
}

/** dh += dHs[s]: the loss gradient reaching the state after processing step s from the layer above. */
export function addStepGradient(ws: RecurrentWorkspace, s: number, Bu: number): void {
  const dh = ws.dh;
  const dHs = ws.dHs;
  const o = s * Bu;
  for (let k = 0; k < Bu; k++) dh[k]! += dHs[o + k]!;
}

/** dh += dhin ⊙ mask (the recurrent path into the previous state). */
export function addRecurrentPath(ws: RecurrentWorkspace, Bu: number): void {
  const { dh, dhin } = ws;
  const rm = ws.recurrentMask;
  if (rm === null) for (let k = 0; k < Bu; k++) dh[k]! += dhin[k]!;
  else for (let k = 0; k < Bu; k++) dh[k]! += dhin[k]! * rm[k]!;
}

/**
 * Gate-kernel operands (`wasm/ops.ts`) of the `count` gate blocks of a [T,B,G] buffer, block k at column
 * k·u: indexed by processing step (`act`, `dRec`), by the input time the step reads (`xp`, `dA`: walking
 * back through the buffer with `goBackwards`), or the same [B,G] rows at every step (`rec`).
 */
export function gateBlocks(
  ws: RecurrentWorkspace,
  data: FloatArray,
  count: number,
  B: number,
  index: 'step' | 'inputTime' | 'none' = 'step',
): StepOperand[] {
  const { T, G } = ws;
  const BG = B * G;
  const back = index === 'inputTime' && ws.config.goBackwards;
  const step = index === 'none' ? 0 : back ? -BG : BG;
  const u = ws.config.units;
  return Array.from({ length: count }, (_, k) => operand(data, (back ? (T - 1) * BG : 0) + k * u, G, step));
}

/**
 * The operands of a forward gate kernel run after the recurrent product (`gru_after_fwd`, `lstm_fwd`):
 * the act gate blocks and `outputs`, then the xp and rec gate blocks and `inputs`.
 */
export function afterProductOperands(
  ws: RecurrentWorkspace,
  B: number,
  outputs: readonly StepOperand[],
  inputs: readonly StepOperand[],
): StepOperand[] {
  const n = ws.G / ws.config.units;
  return [
    ...gateBlocks(ws, ws.act, n, B),
    ...outputs,
    ...gateBlocks(ws, ws.xp, n, B, 'inputTime'),
    ...gateBlocks(ws, ws.rec, n, B, 'none'),
    ...inputs,
  ];
}

/** The gate-kernel operand of the [B,u] slot `slot + s` of a [·,B,u] buffer at step s (`hs`, `cs`, `aux`). */
export function stateSlot(ws: RecurrentWorkspace, data: FloatArray, slot: number, B: number): StepOperand {
  const Bu = B * ws.config.units;
  return operand(data, slot * Bu, ws.config.units, Bu);
}

/**
 * The gate gradients of step s by input time: with `goBackwards` the [B,G] slab of dRec copied to dA at
 * input time t (processing forwards dA is dRec itself, see `inputGradients` in `sequence.ts`).
 */
export function copyToInputTime(ws: RecurrentWorkspace, s: number, B: number): void {
  if (!ws.config.goBackwards) return;
  const BG = B * ws.G;
  ws.dA.set(ws.dRec.subarray(s * BG, (s + 1) * BG), inputTime(ws, s) * BG);
}

/** What `eachRow` calls per batch row (offsets described there). */
export type RowVisitor = (xo: number, ro: number, ao: number, ho: number, bo: number) => void;

/**
 * Calls `row(xo, ro, ao, ho, bo)` for every batch row b of processing step s: xo = (t·B + b)·G its row in
 * xp / dA at the input time t step s reads, ro = b·G in rec, ao = (s·B + b)·G in act / dRec,
 * ho = (s·B + b)·u in the [·,B,u] buffers at slot s (hs, cs, aux; the new state at ho + B·u) and bo = b·u
 * in dh, dc. The cells' loops over the columns the gate kernels leave are such visitors, made once per pass.
 */
export function eachRow(ws: RecurrentWorkspace, s: number, B: number, row: RowVisitor): void {
  const { G } = ws;
  const u = ws.config.units;
  const t = inputTime(ws, s);
  for (let b = 0; b < B; b++) row((t * B + b) * G, b * G, (s * B + b) * G, (s * B + b) * u, b * u);
}

/**
 * The gate kernel `name` (`wasm/gate-module.ts`) bound to `operands` for the B rows and u columns of every
 * step (null unless `usable`, e.g. sigmoid gates, and the WASM kernels take the buffers), and `done`: the
 * column the cell's own loops start at.
 */
export function cellKernel(
  ws: RecurrentWorkspace,
  name: GateKernelName,
  operands: readonly StepOperand[],
  B: number,
  usable = true,
): { kernel: GateKernel | null; done: number } {
  const kernel = usable ? bindGateKernel(name, operands, B, ws.config.units) : null;
  return { kernel, done: kernelColumns(kernel) };
}

/**
 * The forward time loop of a cell whose gates need the whole recurrent product first (GRU resetAfter,
 * LSTM, SimpleRNN): per step rec = h_in·U, then the gate kernel, then `row` on the columns it left.
 * When the kernel does every column, the loop is one WebAssembly call (`fused-steps.ts`; `bias`: the
 * bias buffer when the kernel reads it).
 */
export function forwardSteps(
  ws: RecurrentWorkspace,
  U: FloatArray,
  B: number,
  kernel: GateKernel | null,
  row: RowVisitor,
  bias: FloatArray | null = null,
): void {
  if (
    kernel !== null &&
    kernelColumns(kernel) === ws.config.units &&
    fuseSteps(ws, U, bias, B, (r) => {
      if (!recordRecurrentProduct(r, ws, U, B)) return false;
      r.kernel(kernel);
      return true;
    })
  )
    return;
  for (let s = 0; s < ws.T; s++) {
    recurrentProduct(ws, U, s, B);
    kernel?.run(s);
    eachRow(ws, s, B, row);
  }
}

/**
 * Backpropagation through time of such a cell, from the last step: dh += dHs[s], the gate kernel and
 * `row` write dRec (and dh, dc), dA by input time (`copyToInputTime`, unless the cell writes dA itself),
 * then dh += dRec·Uᵀ.
 */
export function backwardSteps(
  ws: RecurrentWorkspace,
  B: number,
  kernel: GateKernel | null,
  row: RowVisitor,
  toInputTime = true,
): void {
  const Bu = B * ws.config.units;
  for (let s = ws.T - 1; s >= 0; s--) {
    addStepGradient(ws, s, Bu);
    kernel?.run(s);
    eachRow(ws, s, B, row);
    if (toInputTime) copyToInputTime(ws, s, B);
    backpropRecurrent(ws, s, B);
  }
}
