/**
 * The state of one direction of one recurrent layer: its configuration, weights, gradients and every
 * buffer the forward and backward passes use (the cells in this folder read and write them).
 */
import { gateSlope } from '../activations';
import type { FloatArray } from '../float-array';
import { type CellType, gateCount, type RecurrentActivation, type UpdateGate } from '../spec';
import { allocFloat32 } from '../wasm/runtime';
import type { ScanSchedule } from './linear-scan';

/**
 * One direction of one recurrent layer (GRU, LSTM, SimpleRNN, minGRU or minLSTM): forward over a whole
 * sequence and backpropagation through time (`sequence.ts`), on time-major flat buffers.
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

/** Gradient buffers of one direction, same layout as `RecurrentParams`; backward adds into them. */
export interface RecurrentGrads {
  readonly kernel: FloatArray;
  readonly recurrentKernel: FloatArray;
  readonly bias: FloatArray;
}

/**
 * All buffers of one direction of one layer for batches of up to `capacity` samples. Allocated once
 * per shape; the time loops allocate no buffers. Forward caches are read by `recurrentBackward`.
 */
export class RecurrentWorkspace {
  readonly config: RecurrentCellConfig;
  readonly dtype: DType;
  readonly T: number;
  readonly G: number;
  /** The gate activation's hard-sigmoid slope (`gateSlope`; 0 for sigmoid gates). */
  readonly slope: number;
  /** GRU: `updateGate` is `'takesNew'` (z and 1 − z swap in the blend). */
  readonly takesNew: boolean;
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
    this.slope = gateSlope(config.recurrentActivation);
    this.takesNew = config.updateGate === 'takesNew';
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
