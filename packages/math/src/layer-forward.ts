import { recurrentForward } from './cells/sequence';
import { allocFloat, RecurrentWorkspace } from './cells/workspace';
import { GruMathError } from './errors';
import type { CellType, RecurrentActivation, UpdateGate } from './spec';
import { checkBatch, checkFinite, checkTensor } from './validate';

/** One recurrent layer (one direction) for `recurrentLayerForward`. */
export interface RecurrentLayerOptions {
  readonly cell: CellType;
  readonly units: number;
  /** GRU only. Default false (bias `[3u]`); true: bias `[2, 3u]`. */
  readonly resetAfter?: boolean;
  /** Default `'sigmoid'`. */
  readonly recurrentActivation?: RecurrentActivation;
  /** GRU only: `'takesNew'` is the founding text's h = (1 − z) ⊙ h_prev + z ⊙ ĥ. Default `'keepsOld'` (Keras). */
  readonly updateGate?: UpdateGate;
  /** Read the sequence from the last step to the first (Keras `go_backwards`). Default false. */
  readonly goBackwards?: boolean;
  /** Return the output of every step `[B,T,u]` instead of the last one `[B,u]`. Default false. */
  readonly returnSequences?: boolean;
  /** Initial hidden state `[B,u]`. Default zeros. */
  readonly initialState?: Float32Array;
  /** LSTM only: initial cell state `[B,u]`. Default zeros. */
  readonly initialCellState?: Float32Array;
}

/** Weights of one recurrent layer in canonical Keras layout. */
export interface RecurrentLayerWeights {
  /** `[inputSize, g·u]` */
  readonly kernel: Float32Array;
  /** `[u, g·u]` */
  readonly recurrentKernel: Float32Array;
  /** `[g·u]`, or `[2, 3u]` for GRU with `resetAfter`. */
  readonly bias: Float32Array;
}

/**
 * The reference forward pass of a single recurrent layer, exactly as Keras / tfjs define it, for
 * parity tests: x `[B,T,I]` (batch-major) → `[B,T,u]` with `returnSequences`, else `[B,u]`.
 * With `goBackwards` the sequence is read from the end and, as in Keras, the returned sequence is in
 * processing order (output step 0 has seen only the last input step). Computed in Float64 and rounded
 * to Float32 once at the end. No dropout (inference).
 */
export function recurrentLayerForward(
  x: Float32Array,
  batch: number,
  timeSteps: number,
  weights: RecurrentLayerWeights,
  options: RecurrentLayerOptions,
): Float32Array {
  checkBatch(batch);
  checkBatch(timeSteps, 'timeSteps');
  const { cell, units: u } = options;
  if (cell !== 'gru' && cell !== 'lstm' && cell !== 'simpleRnn') {
    throw new GruMathError(
      'INVALID_ARGUMENT',
      `options.cell must be "gru", "lstm" or "simpleRnn", got ${JSON.stringify(cell)}.`,
    );
  }
  checkBatch(u, 'options.units');
  const g = cell === 'gru' ? 3 : cell === 'lstm' ? 4 : 1;
  const G = g * u;
  const resetAfter = cell === 'gru' && (options.resetAfter ?? false);
  if (!(x instanceof Float32Array) || x.length % (batch * timeSteps) !== 0 || x.length === 0) {
    throw new GruMathError(
      'SHAPE_MISMATCH',
      `x must be a Float32Array of shape [batch=${batch}, timeSteps=${timeSteps}, inputSize], got ${
        x instanceof Float32Array ? `${x.length} values` : typeof x
      }. Its length must be a multiple of batch·timeSteps = ${batch * timeSteps}.`,
    );
  }
  const I = x.length / (batch * timeSteps);
  checkFinite('x', x, [batch, timeSteps, I]);
  checkTensor('kernel', weights.kernel, [I, G], ['inputSize', `${g}·units`]);
  checkTensor('recurrentKernel', weights.recurrentKernel, [u, G], ['units', `${g}·units`]);
  checkTensor(
    'bias',
    weights.bias,
    resetAfter ? [2, G] : [G],
    resetAfter ? ['inputAndRecurrent', '3·units'] : [`${g}·units`],
  );
  checkFinite('kernel', weights.kernel, [I, G]);
  checkFinite('recurrentKernel', weights.recurrentKernel, [u, G]);
  checkFinite('bias', weights.bias, resetAfter ? [2, G] : [G]);
  const toF64 = (a: Float32Array): Float64Array => Float64Array.from(a);
  let h0: Float64Array | null = null;
  if (options.initialState !== undefined) {
    checkTensor('initialState', options.initialState, [batch, u], ['batch', 'units']);
    checkFinite('initialState', options.initialState, [batch, u]);
    h0 = toF64(options.initialState);
  }
  let c0: Float64Array | null = null;
  if (options.initialCellState !== undefined) {
    checkTensor('initialCellState', options.initialCellState, [batch, u], ['batch', 'units']);
    checkFinite('initialCellState', options.initialCellState, [batch, u]);
    c0 = toF64(options.initialCellState);
  }
  const T = timeSteps;
  const ws = new RecurrentWorkspace(
    {
      cell,
      units: u,
      inputSize: I,
      resetAfter,
      recurrentActivation: options.recurrentActivation ?? 'sigmoid',
      goBackwards: options.goBackwards ?? false,
      updateGate: options.updateGate ?? 'keepsOld',
    },
    T,
    'float64',
  );
  const xT = allocFloat('float64', T * batch * I);
  for (let b = 0; b < batch; b++) {
    for (let t = 0; t < T; t++) {
      for (let i = 0; i < I; i++) xT[(t * batch + b) * I + i] = x[(b * T + t) * I + i]!;
    }
  }
  recurrentForward(
    ws,
    xT,
    {
      kernel: toF64(weights.kernel),
      recurrentKernel: toF64(weights.recurrentKernel),
      bias: toF64(weights.bias),
    },
    batch,
    h0,
    c0,
  );
  const hs = ws.hs;
  if (!(options.returnSequences ?? false))
    return Float32Array.from(hs.subarray(T * batch * u, (T + 1) * batch * u));
  const out = new Float32Array(batch * T * u);
  for (let s = 0; s < T; s++) {
    for (let b = 0; b < batch; b++) {
      for (let j = 0; j < u; j++) out[(b * T + s) * u + j] = hs[((s + 1) * batch + b) * u + j]!;
    }
  }
  return out;
}
