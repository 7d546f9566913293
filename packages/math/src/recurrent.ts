import { gate, gateGrad, gateSlope } from './activations';
import type { ScanSchedule } from './cells/linear-scan';
import { minRecurrentBackward, minRecurrentForward } from './cells/min-rnn';
import type { FloatArray } from './float-array';
import { gemmNN, gemmTN, transpose } from './gemm';
import { type CellType, gateCount, isMinCell, type RecurrentActivation, type UpdateGate } from './spec';
import {
  wasmElementwise,
  wasmGruBackwardReset,
  wasmGruBackwardUpdateAndCandidate,
  wasmTanhBlend,
} from './wasm/ops';
import { allocFloat32 } from './wasm/runtime';

/**
 * One direction of one recurrent layer (GRU, LSTM or SimpleRNN; minGRU / minLSTM in `cells/`): forward over a whole sequence and
 * backpropagation through time, on time-major flat buffers.
 *
 * Conventions (`T` time steps, `B` batch, `I` inputs, `u` units, `G` = gates·u):
 * - inputs and outputs are time-major, `x: [T,B,I]`;
 * - the cell processes step `s = 0..T−1`, reading input time `t = s` (or `T−1−s` with `goBackwards`);
 *   every per-step cache (`hs`, `act`, `aux`, `hin`, `dRec`) is indexed by the processing step `s`,
 *   while the input projection `xp` and its gradient `dA` are indexed by the input time `t`;
 * - `hs: [T+1,B,u]` holds the initial state in slot 0 and the state after step `s` in slot `s+1`;
 * - weights in canonical Keras layout: `kernel [I,G]`, `recurrentKernel [u,G]`, bias `[G]` (GRU with
 *   `resetAfter`: `[2,G]`, input bias then recurrent bias); gate blocks GRU z|r|h, LSTM i|f|c|o;
 * - dropout (Keras semantics, one mask per sequence): `inputMask [B,I]` multiplies every input step,
 *   `recurrentMask [B,u]` multiplies the previous state where it enters the recurrent products (the
 *   GRU blend `z ⊙ h` and the LSTM carry use the unmasked state). Masks already hold the 1/(1−p) scale.
 */
export interface RecurrentCellConfig {
  readonly cell: CellType;
  readonly units: number;
  readonly inputSize: number;
  /** GRU only: reset gate applied after the recurrent product (bias `[2, 3u]`). */
  readonly resetAfter: boolean;
  readonly recurrentActivation: RecurrentActivation;
  readonly goBackwards: boolean;
  /** GRU only. `'takesNew'`: h = (1 − z) ⊙ h_prev + z ⊙ ĥ (the founding text). Default `'keepsOld'` (Keras). */
  readonly updateGate?: UpdateGate;
}

/** The weights of one direction, views in canonical layout (see `RecurrentCellConfig`). */
export interface RecurrentParams {
  readonly kernel: FloatArray;
  readonly recurrentKernel: FloatArray;
  readonly bias: FloatArray;
}

/** Element type of a workspace's buffers. */
export type DType = 'float32' | 'float64';

/** Allocates a zeroed buffer of the given element type. */
export function allocFloat(dtype: DType, n: number): FloatArray {
  return dtype === 'float64' ? new Float64Array(n) : allocFloat32(n);
}

const EMPTY32 = new Float32Array(0);

/**
 * All buffers of one direction of one layer for batches of up to `capacity` samples. Allocated once
 * per shape; the time loops never allocate. Forward caches are read by `recurrentBackward`.
 */
export class RecurrentWorkspace {
  readonly config: RecurrentCellConfig;
  readonly dtype: DType;
  readonly T: number;
  readonly G: number;
  capacity = 0;
  /** Current batch size (set by `recurrentForward`). */
  B = 0;
  /** Input projection `x·W + b` per input time: [T,B,G]. */
  xp: FloatArray = EMPTY32;
  /** States: [T+1,B,u], slot 0 initial state, slot s+1 after processing step s. */
  hs: FloatArray = EMPTY32;
  /** LSTM cell states: [T+1,B,u]. */
  cs: FloatArray = EMPTY32;
  /** Gate activations per processing step: [T,B,G] (GRU z|r|ĥ, LSTM i|f|g|o). */
  act: FloatArray = EMPTY32;
  /** GRU `resetAfter: false`: r ⊙ h_in; GRU `resetAfter: true`: h_in·U_h + b_hh; LSTM: tanh(c). [T,B,u] */
  aux: FloatArray = EMPTY32;
  /** Masked previous states entering the recurrent product (only with a recurrent mask): [T,B,u]. */
  hin: FloatArray = EMPTY32;
  /** Masked inputs (only with an input mask): [T,B,I]. */
  xm: FloatArray = EMPTY32;
  /** Recurrent pre-activations of one step: [B,G]. */
  rec: FloatArray = EMPTY32;
  /** Dropout masks, or null when inactive. [B,I] and [B,u]. */
  inputMask: FloatArray | null = null;
  recurrentMask: FloatArray | null = null;
  /** `mingru` / `minlstm`: step by step or as a chunked parallel scan (`cells/linear-scan.ts`). */
  scan: ScanSchedule = 'parallel';

  // Backward buffers (allocated on the first backward pass).
  /** Gradient of the loss w.r.t. the states after each processing step: [T,B,u] (input of backward). */
  dHs: FloatArray = EMPTY32;
  /** Pre-activation gradients of the input projection per input time: [T,B,G]. */
  dA: FloatArray = EMPTY32;
  /** Pre-activation gradients of the recurrent projection per processing step: [T,B,G]. */
  dRec: FloatArray = EMPTY32;
  /** Running gradient w.r.t. the state (after backward: w.r.t. the initial state): [B,u]. */
  dh: FloatArray = EMPTY32;
  /** LSTM: running gradient w.r.t. the cell state (after backward: the initial cell state): [B,u]. */
  dc: FloatArray = EMPTY32;
  dhin: FloatArray = EMPTY32;
  dtmp: FloatArray = EMPTY32;
  /** Transposed recurrent kernel [G,u] and kernel [G,I]. */
  ut: FloatArray = EMPTY32;
  wt: FloatArray = EMPTY32;
  dxm: FloatArray = EMPTY32;
  /** T·capacity ones: column sums as a product 1ᵀ·A. */
  ones: FloatArray = EMPTY32;
  private backwardCapacity = 0;

  constructor(config: RecurrentCellConfig, timeSteps: number, dtype: DType) {
    this.config = config;
    this.dtype = dtype;
    this.T = timeSteps;
    this.G = gateCount(config.cell) * config.units;
  }

  /** Makes room for batches of `batch` samples (no-op when already large enough). */
  ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    const { T, G, dtype } = this;
    const u = this.config.units;
    const I = this.config.inputSize;
    this.xp = allocFloat(dtype, T * batch * G);
    this.hs = allocFloat(dtype, (T + 1) * batch * u);
    if (this.config.cell === 'lstm') this.cs = allocFloat(dtype, (T + 1) * batch * u);
    if (this.config.cell !== 'simpleRnn') {
      this.act = allocFloat(dtype, T * batch * G);
      this.aux = allocFloat(dtype, T * batch * u);
    }
    this.hin = allocFloat(dtype, T * batch * u);
    this.xm = allocFloat(dtype, T * batch * I);
    this.rec = allocFloat(dtype, batch * G);
    this.capacity = batch;
    this.backwardCapacity = 0;
    this.ut = allocFloat(dtype, G * u);
    this.wt = allocFloat(dtype, G * I);
  }

  /** Makes room for the backward buffers of batches of `batch` samples. */
  ensureBackwardCapacity(batch: number): void {
    this.ensureCapacity(batch);
    if (batch <= this.backwardCapacity) return;
    const { T, G, dtype } = this;
    const u = this.config.units;
    const I = this.config.inputSize;
    const cap = this.capacity;
    this.dHs = allocFloat(dtype, T * cap * u);
    this.dA = allocFloat(dtype, T * cap * G);
    this.dRec = allocFloat(dtype, T * cap * G);
    this.dh = allocFloat(dtype, cap * u);
    this.dc = allocFloat(dtype, cap * u);
    this.dhin = allocFloat(dtype, cap * u);
    this.dtmp = allocFloat(dtype, cap * u);
    this.dxm = allocFloat(dtype, T * cap * I);
    this.ones = allocFloat(dtype, T * cap);
    this.ones.fill(1);
    this.backwardCapacity = cap;
  }
}

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
  const { T, G, config } = ws;
  const u = config.units;
  const I = config.inputSize;
  const TB = T * B;
  if (isMinCell(config.cell)) {
    minRecurrentForward(ws, x, params, B, h0);
    return;
  }
  const { kernel, recurrentKernel, bias } = params;

  // Input dropout: one mask per sequence, applied to every step.
  let xin = x;
  const im = ws.inputMask;
  if (im !== null) {
    const xm = ws.xm;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        const o = (t * B + b) * I;
        const mo = b * I;
        for (let i = 0; i < I; i++) xm[o + i] = x[o + i]! * im[mo + i]!;
      }
    }
    xin = xm;
  }

  // Input projection of all time steps in one GEMM: xp = x·W + b_input.
  const xp = ws.xp;
  for (let j = 0; j < G; j++) xp[j] = bias[j]!;
  for (let rows = 1; rows < TB; rows *= 2) xp.copyWithin(rows * G, 0, Math.min(rows, TB - rows) * G);
  gemmNN(xp, 0, G, xin, 0, I, kernel, 0, G, TB, G, I, 1);

  const hs = ws.hs;
  const Bu = B * u;
  if (h0 !== null) for (let k = 0; k < Bu; k++) hs[k] = h0[k]!;
  else hs.fill(0, 0, Bu);
  if (config.cell === 'lstm') {
    const cs = ws.cs;
    if (c0 !== null) for (let k = 0; k < Bu; k++) cs[k] = c0[k]!;
    else cs.fill(0, 0, Bu);
  }

  if (config.cell === 'gru') {
    if (config.resetAfter) gruForwardAfter(ws, recurrentKernel, bias, B);
    else gruForwardBefore(ws, recurrentKernel, B);
  } else if (config.cell === 'lstm') {
    lstmForward(ws, recurrentKernel, B);
  } else {
    simpleRnnForward(ws, recurrentKernel, B);
  }
}

/** Masks the previous state of step s into ws.hin (when a recurrent mask is set); returns the buffer to use. */
function recurrentInput(ws: RecurrentWorkspace, s: number, B: number): FloatArray {
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

function inputTime(ws: RecurrentWorkspace, s: number): number {
  return ws.config.goBackwards ? ws.T - 1 - s : s;
}

// GRU, resetAfter false: ĥ = tanh(x·Wh + (r ⊙ h)·Uh + bh). rec: [B, 2u] for z|r then [B, u] for h.
function gruForwardBefore(ws: RecurrentWorkspace, U: FloatArray, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const slope = gateSlope(ws.config.recurrentActivation);
  const takesNew = ws.config.updateGate === 'takesNew';
  const hard = slope !== 0;
  const Bu = B * u;
  const { xp, hs, act, aux, rec } = ws;
  const u2 = 2 * u;
  for (let s = 0; s < T; s++) {
    const t = inputTime(ws, s);
    const hin = recurrentInput(ws, s, B);
    const hOff = s * Bu;
    // rec[:, 0:2u] = h_in · U[:, 0:2u]
    gemmNN(rec, 0, G, hin, hOff, u, U, 0, G, B, u2, u, 0);
    // act[z|r] = σ(xp + rec): the WebAssembly SIMD kernel when available, else the loop below.
    if (!hard && wasmElementwise('sigmoidOfSum', act, s * B * G, G, xp, t * B * G, G, rec, 0, G, B, u2)) {
      // aux = r ⊙ h_in; narrower than one SIMD vector (u < 4), the kernel declines and this loop runs.
      if (!wasmElementwise('product', aux, hOff, u, act, s * B * G + u, G, hin, hOff, u, B, u)) {
        for (let b = 0; b < B; b++) {
          const ao = (s * B + b) * G + u;
          const ho = hOff + b * u;
          for (let j = 0; j < u; j++) aux[ho + j] = act[ao + j]! * hin[ho + j]!;
        }
      }
    } else {
      for (let b = 0; b < B; b++) {
        const xo = (t * B + b) * G;
        const ro = b * G;
        const ao = (s * B + b) * G;
        const ho = hOff + b * u;
        for (let j = 0; j < u; j++) {
          const z = gate(xp[xo + j]! + rec[ro + j]!, slope);
          const r = gate(xp[xo + u + j]! + rec[ro + u + j]!, slope);
          act[ao + j] = z;
          act[ao + u + j] = r;
          aux[ho + j] = r * hin[ho + j]!;
        }
      }
    }
    // rec[:, 2u:3u] = (r ⊙ h_in) · U[:, 2u:3u]
    gemmNN(rec, u2, G, aux, hOff, u, U, u2, G, B, u, u, 0);
    const nOff = hOff + Bu;
    // ĥ = tanh(xp + rec), h = z ⊙ h_prev + (1 − z) ⊙ ĥ: the WebAssembly SIMD kernel when available.
    const ao0 = s * B * G;
    if (
      !takesNew &&
      wasmTanhBlend(
        act,
        ao0 + u2,
        G,
        hs,
        nOff,
        u,
        xp,
        t * B * G + u2,
        G,
        rec,
        u2,
        G,
        act,
        ao0,
        G,
        hs,
        hOff,
        u,
        B,
        u,
      )
    ) {
      continue;
    }
    for (let b = 0; b < B; b++) {
      const xo = (t * B + b) * G + u2;
      const ro = b * G + u2;
      const ao = (s * B + b) * G;
      const ho = hOff + b * u;
      const no = nOff + b * u;
      for (let j = 0; j < u; j++) {
        const hh = Math.tanh(xp[xo + j]! + rec[ro + j]!);
        const z = act[ao + j]!;
        const keep = takesNew ? 1 - z : z;
        act[ao + u2 + j] = hh;
        hs[no + j] = keep * hs[ho + j]! + (1 - keep) * hh;
      }
    }
  }
}

// GRU, resetAfter true: ĥ = tanh(x·Wh + bxh + r ⊙ (h·Uh + bhh)). rec: [B, 3u].
function gruForwardAfter(ws: RecurrentWorkspace, U: FloatArray, bias: FloatArray, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const slope = gateSlope(ws.config.recurrentActivation);
  const takesNew = ws.config.updateGate === 'takesNew';
  const Bu = B * u;
  const { xp, hs, act, aux, rec } = ws;
  const u2 = 2 * u;
  for (let s = 0; s < T; s++) {
    const t = inputTime(ws, s);
    const hin = recurrentInput(ws, s, B);
    const hOff = s * Bu;
    gemmNN(rec, 0, G, hin, hOff, u, U, 0, G, B, G, u, 0);
    const nOff = hOff + Bu;
    for (let b = 0; b < B; b++) {
      const xo = (t * B + b) * G;
      const ro = b * G;
      const ao = (s * B + b) * G;
      const ho = hOff + b * u;
      const no = nOff + b * u;
      for (let j = 0; j < u; j++) {
        const z = gate(xp[xo + j]! + rec[ro + j]! + bias[G + j]!, slope);
        const r = gate(xp[xo + u + j]! + rec[ro + u + j]! + bias[G + u + j]!, slope);
        const hr = rec[ro + u2 + j]! + bias[G + u2 + j]!;
        const hh = Math.tanh(xp[xo + u2 + j]! + r * hr);
        act[ao + j] = z;
        act[ao + u + j] = r;
        act[ao + u2 + j] = hh;
        aux[ho + j] = hr;
        const keep = takesNew ? 1 - z : z;
        hs[no + j] = keep * hs[ho + j]! + (1 - keep) * hh;
      }
    }
  }
}

// LSTM (Keras): i, f, o = σ(·), g = tanh(·), c = f ⊙ c + i ⊙ g, h = o ⊙ tanh(c).
function lstmForward(ws: RecurrentWorkspace, U: FloatArray, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const slope = gateSlope(ws.config.recurrentActivation);
  const Bu = B * u;
  const { xp, hs, cs, act, aux, rec } = ws;
  const u2 = 2 * u;
  const u3 = 3 * u;
  for (let s = 0; s < T; s++) {
    const t = inputTime(ws, s);
    const hin = recurrentInput(ws, s, B);
    const hOff = s * Bu;
    gemmNN(rec, 0, G, hin, hOff, u, U, 0, G, B, G, u, 0);
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

// SimpleRNN: h = tanh(x·W + h·U + b).
function simpleRnnForward(ws: RecurrentWorkspace, U: FloatArray, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const Bu = B * u;
  const { xp, hs, rec } = ws;
  for (let s = 0; s < T; s++) {
    const t = inputTime(ws, s);
    const hin = recurrentInput(ws, s, B);
    const hOff = s * Bu;
    gemmNN(rec, 0, G, hin, hOff, u, U, 0, G, B, G, u, 0);
    const nOff = hOff + Bu;
    for (let b = 0; b < B; b++) {
      const xo = (t * B + b) * G;
      const ro = b * G;
      const no = nOff + b * u;
      for (let j = 0; j < u; j++) hs[no + j] = Math.tanh(xp[xo + j]! + rec[ro + j]!);
    }
  }
}

/** Gradient buffers of one direction, same layout as `RecurrentParams`; backward adds into them. */
export interface RecurrentGrads {
  readonly kernel: FloatArray;
  readonly recurrentKernel: FloatArray;
  readonly bias: FloatArray;
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
  if (isMinCell(ws.config.cell)) {
    minRecurrentBackward(ws, grads, dx, x, params);
    return;
  }
  const B = ws.B;
  ws.ensureBackwardCapacity(B);
  const { T, G, config } = ws;
  const u = config.units;
  const I = config.inputSize;
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
  const dA = inputGradients(ws);
  const xin = ws.inputMask !== null ? ws.xm : x;
  // dW += x_inᵀ · dA  (I×G over all T·B rows)
  gemmTN(grads.kernel, 0, G, xin, 0, I, dA, 0, G, I, G, TB, 1);
  // input bias += Σ_rows dA
  addColumnSums(ws, grads.bias, 0, dA, G, TB, G);
  // dU += h_inᵀ · dRec  (GRU resetAfter false: the h block pairs with r ⊙ h_in)
  const hinAll = ws.recurrentMask !== null ? ws.hin : ws.hs;
  if (config.cell === 'gru' && !config.resetAfter) {
    gemmTN(grads.recurrentKernel, 0, G, hinAll, 0, u, dRec, 0, G, u, 2 * u, TB, 1);
    gemmTN(grads.recurrentKernel, 2 * u, G, ws.aux, 0, u, dRec, 2 * u, G, u, u, TB, 1);
  } else {
    gemmTN(grads.recurrentKernel, 0, G, hinAll, 0, u, dRec, 0, G, u, G, TB, 1);
  }
  if (config.cell === 'gru' && config.resetAfter) addColumnSums(ws, grads.bias, G, dRec, G, TB, G);

  if (dx !== null) {
    transpose(ws.wt, params.kernel, I, G);
    const im = ws.inputMask;
    if (im === null) {
      gemmNN(dx, 0, I, dA, 0, G, ws.wt, 0, I, TB, I, G, 1);
    } else {
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
  }
}

/**
 * The gate gradients per input time step, [T·B, G]: `dA`, or `dRec` itself for a GRU with
 * resetAfter false processed forwards (its backward pass writes dRec only, as the two coincide).
 */
function inputGradients(ws: RecurrentWorkspace): FloatArray {
  const c = ws.config;
  return c.cell === 'gru' && !c.resetAfter && !c.goBackwards ? ws.dRec : ws.dA;
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

/** dh += dHs[s]: the loss gradient reaching the state after processing step s from the layer above. */
function addStepGradient(ws: RecurrentWorkspace, s: number, Bu: number): void {
  const dh = ws.dh;
  const dHs = ws.dHs;
  const o = s * Bu;
  for (let k = 0; k < Bu; k++) dh[k]! += dHs[o + k]!;
}

/** dh += dhin ⊙ mask (the recurrent path into the previous state). */
function addRecurrentPath(ws: RecurrentWorkspace, Bu: number): void {
  const { dh, dhin } = ws;
  const rm = ws.recurrentMask;
  if (rm === null) for (let k = 0; k < Bu; k++) dh[k]! += dhin[k]!;
  else for (let k = 0; k < Bu; k++) dh[k]! += dhin[k]! * rm[k]!;
}

function gruBackwardBefore(ws: RecurrentWorkspace, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const slope = gateSlope(ws.config.recurrentActivation);
  const takesNew = ws.config.updateGate === 'takesNew';
  const sign = takesNew ? -1 : 1;
  const hard = slope !== 0;
  const Bu = B * u;
  const u2 = 2 * u;
  const { hs, act, dA, dRec, dh, dhin, dtmp, ut } = ws;
  const hinAll = ws.recurrentMask !== null ? ws.hin : ws.hs;
  const backwards = ws.config.goBackwards;
  for (let s = T - 1; s >= 0; s--) {
    const t = inputTime(ws, s);
    addStepGradient(ws, s, Bu);
    const hOff = s * Bu;
    const a0 = s * B * G;
    // The WebAssembly SIMD kernel does the leading multiple-of-4 columns when available; the loop the rest.
    const doneZH =
      hard || takesNew
        ? 0
        : wasmGruBackwardUpdateAndCandidate(
            dh,
            0,
            u,
            dRec,
            a0,
            dRec,
            a0 + u2,
            G,
            act,
            a0,
            act,
            a0 + u2,
            G,
            hs,
            hOff,
            u,
            B,
            u,
          );
    for (let b = 0; b < B; b++) {
      const ao = (s * B + b) * G;
      const ho = hOff + b * u;
      const bo = b * u;
      for (let j = doneZH; j < u; j++) {
        const g = dh[bo + j]!;
        const z = act[ao + j]!;
        const hh = act[ao + u2 + j]!;
        // keep = z (keepsOld) or 1 − z (takesNew): h = keep ⊙ h_prev + (1 − keep) ⊙ ĥ.
        const keep = takesNew ? 1 - z : z;
        const dz = sign * g * (hs[ho + j]! - hh);
        const dah = g * (1 - keep) * (1 - hh * hh);
        dh[bo + j] = g * keep;
        dRec[ao + j] = dz * gateGrad(z, slope);
        dRec[ao + u2 + j] = dah;
      }
    }
    // d(r ⊙ h_in) = daĥ · U_hᵀ
    gemmNN(dtmp, 0, u, dRec, s * B * G + u2, G, ut, u2 * u, u, B, u, u, 0);
    const doneR = hard
      ? 0
      : wasmGruBackwardReset(dRec, a0 + u, G, dhin, 0, dtmp, 0, u, act, a0 + u, G, hinAll, hOff, u, B, u);
    for (let b = 0; b < B; b++) {
      const ao = (s * B + b) * G;
      const ho = hOff + b * u;
      const bo = b * u;
      for (let j = doneR; j < u; j++) {
        const d = dtmp[bo + j]!;
        const r = act[ao + u + j]!;
        dRec[ao + u + j] = d * hinAll[ho + j]! * gateGrad(r, slope);
        dhin[bo + j] = d * r;
      }
      // dA is dRec re-indexed by input time; in processing order it is dRec itself (see `inputGradients`).
      if (backwards) {
        const xo = (t * B + b) * G;
        for (let j = 0; j < G; j++) dA[xo + j] = dRec[ao + j]!;
      }
    }
    // d h_in += da_{z,r} · U_{z,r}ᵀ
    gemmNN(dhin, 0, u, dRec, s * B * G, G, ut, 0, u, B, u, u2, 1);
    addRecurrentPath(ws, Bu);
  }
}

function gruBackwardAfter(ws: RecurrentWorkspace, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const slope = gateSlope(ws.config.recurrentActivation);
  const takesNew = ws.config.updateGate === 'takesNew';
  const sign = takesNew ? -1 : 1;
  const Bu = B * u;
  const u2 = 2 * u;
  const { hs, act, aux, dA, dRec, dh, dhin, ut } = ws;
  for (let s = T - 1; s >= 0; s--) {
    const t = inputTime(ws, s);
    addStepGradient(ws, s, Bu);
    const hOff = s * Bu;
    for (let b = 0; b < B; b++) {
      const ao = (s * B + b) * G;
      const xo = (t * B + b) * G;
      const ho = hOff + b * u;
      const bo = b * u;
      for (let j = 0; j < u; j++) {
        const g = dh[bo + j]!;
        const z = act[ao + j]!;
        const r = act[ao + u + j]!;
        const hh = act[ao + u2 + j]!;
        const hr = aux[ho + j]!;
        const keep = takesNew ? 1 - z : z;
        const daz = sign * g * (hs[ho + j]! - hh) * gateGrad(z, slope);
        const dah = g * (1 - keep) * (1 - hh * hh);
        const dar = dah * hr * gateGrad(r, slope);
        dh[bo + j] = g * keep;
        dA[xo + j] = daz;
        dA[xo + u + j] = dar;
        dA[xo + u2 + j] = dah;
        dRec[ao + j] = daz;
        dRec[ao + u + j] = dar;
        dRec[ao + u2 + j] = dah * r;
      }
    }
    gemmNN(dhin, 0, u, dRec, s * B * G, G, ut, 0, u, B, u, G, 0);
    addRecurrentPath(ws, Bu);
  }
}

function lstmBackward(ws: RecurrentWorkspace, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const slope = gateSlope(ws.config.recurrentActivation);
  const Bu = B * u;
  const u2 = 2 * u;
  const u3 = 3 * u;
  const { cs, act, aux, dA, dRec, dh, dc, dhin, ut } = ws;
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
    gemmNN(dhin, 0, u, dRec, s * B * G, G, ut, 0, u, B, u, G, 0);
    addRecurrentPath(ws, Bu);
  }
}

function simpleRnnBackward(ws: RecurrentWorkspace, B: number): void {
  const { T, G } = ws;
  const u = ws.config.units;
  const Bu = B * u;
  const { hs, dA, dRec, dh, dhin, ut } = ws;
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
    gemmNN(dhin, 0, u, dRec, s * B * G, G, ut, 0, u, B, u, G, 0);
    addRecurrentPath(ws, Bu);
  }
}
