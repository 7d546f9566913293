import { GruMathError } from './errors';

/**
 * Recurrent cell kinds. `simpleRnn` is Keras' `SimpleRNN` (tanh). `mingru` and `minlstm` are the minimal
 * cells of Feng et al. 2024 ("Were RNNs All We Needed?"): their gates read the input only, so a whole
 * sequence is a linear recurrence `h_t = a_t ⊙ h_{t−1} + b_t` computed by a scan over time
 * (see `cells/min-gru.ts`, `cells/min-lstm.ts`). They have no recurrent kernel.
 */
export type CellType = 'gru' | 'lstm' | 'simpleRnn' | 'mingru' | 'minlstm';

/** Every {@link CellType}, in the order error messages list them. */
export const CELL_TYPES: readonly CellType[] = ['gru', 'lstm', 'simpleRnn', 'mingru', 'minlstm'];

/** The minimal cells (no recurrent kernel, gates from the input only). */
export function isMinCell(cell: CellType): cell is 'mingru' | 'minlstm' {
  return cell === 'mingru' || cell === 'minlstm';
}

/** Whether a cell has a `recurrent_kernel` in the canonical layout (all but the minimal cells). */
export function hasRecurrentKernel(cell: CellType): boolean {
  return !isMinCell(cell);
}

/**
 * Gate activation of GRU and LSTM cells. Two different functions are called "hard sigmoid" out there;
 * the names here say which:
 * - `'sigmoid'`: 1 / (1 + e^(−x));
 * - `'hardSigmoid'`: clip(0.2x + 0.5, 0, 1), tfjs' `hardSigmoid` and Keras 2's `hard_sigmoid`
 *   (the name predates the Keras 3 one and keeps this meaning, so older artifacts load unchanged);
 * - `'hardSigmoidKeras3'`: clip(x/6 + 0.5, 0, 1), Keras 3's `hard_sigmoid` (also PyTorch `Hardsigmoid`).
 */
export type RecurrentActivation = 'sigmoid' | 'hardSigmoid' | 'hardSigmoidKeras3';

/** Every {@link RecurrentActivation}, in the order error messages list them. */
export const RECURRENT_ACTIVATIONS: readonly RecurrentActivation[] = [
  'sigmoid',
  'hardSigmoid',
  'hardSigmoidKeras3',
];

/**
 * What the GRU update gate z means. `'keepsOld'` (Keras, PyTorch, tfjs; the default): z = 1 keeps the
 * old state, h = z ⊙ h_prev + (1 − z) ⊙ ĥ. `'takesNew'` (the founding text, §3.1): z = 1 takes the new
 * candidate, h = (1 − z) ⊙ h_prev + z ⊙ ĥ. The two are the same cell with the z block of kernel,
 * recurrent kernel and bias negated (`convertUpdateGate`).
 */
export type UpdateGate = 'keepsOld' | 'takesNew';

/** One recurrent layer of a model. Every layer but the last returns its whole sequence. */
export interface RecurrentLayerSpec {
  readonly cell: CellType;
  readonly units: number;
  /** GRU only. `false` (default): tfjs / Keras 2 form; `true`: Keras 3 / PyTorch / cuDNN form, bias `[2, 3u]`. */
  readonly resetAfter?: boolean;
  /** GRU and LSTM gates. Default `'sigmoid'` (the only one the minimal cells accept). */
  readonly recurrentActivation?: RecurrentActivation;
  /** GRU only: the meaning of the update gate (see {@link UpdateGate}). Default `'keepsOld'` (Keras). */
  readonly updateGate?: UpdateGate;
  /** LSTM only: initialize the forget-gate bias to 1. Default `true` (as Keras). */
  readonly unitForgetBias?: boolean;
  /** Run a forward and a backward copy and concatenate their outputs. Default `false`. */
  readonly bidirectional?: boolean;
  /** Read the sequence from the last step to the first. Default `false`. */
  readonly goBackwards?: boolean;
  /** Fraction of the inputs dropped during training (one mask per sequence). Default 0. */
  readonly dropout?: number;
  /** Fraction of the recurrent state dropped during training (one mask per sequence). Default 0. */
  readonly recurrentDropout?: number;
}

/** A whole classifier network: recurrent layers over `[timeSteps, features]`, then a dense softmax head. */
export interface ModelSpec {
  readonly timeSteps: number;
  readonly features: number;
  readonly layers: readonly RecurrentLayerSpec[];
  readonly classes: number;
  /** Dropout on the last recurrent output, before the dense head, during training. Default 0. */
  readonly headDropout?: number;
}

/** One entry of the canonical flat parameter layout. */
export interface WeightEntry {
  /** Keras-style name, e.g. `gru/kernel`, `bidirectional/forward_gru/recurrent_kernel`, `dense/bias`. */
  readonly name: string;
  readonly shape: readonly number[];
  /** Offset in floats into the flat parameter buffer. */
  readonly offset: number;
  readonly size: number;
}

/** The recurrent weights of one direction of one layer. */
export interface CellWeightNames {
  readonly kernel: string;
  /** Not in the layout of cells without one (`hasRecurrentKernel(cell)` false: `mingru`, `minlstm`). */
  readonly recurrentKernel: string;
  readonly bias: string;
}

/** Names and sizes of one recurrent layer, after defaults are applied. */
export interface ResolvedLayer {
  readonly index: number;
  /** Keras-style layer name: `gru`, `gru_1`, `lstm`, `simple_rnn`, `bidirectional`, ... */
  readonly name: string;
  readonly cell: CellType;
  readonly units: number;
  readonly inputSize: number;
  /** `units`, or `2 * units` when bidirectional. */
  readonly outputSize: number;
  readonly resetAfter: boolean;
  readonly recurrentActivation: RecurrentActivation;
  /** GRU: `'keepsOld'` or `'takesNew'`; other cells: `'keepsOld'`. */
  readonly updateGate: UpdateGate;
  readonly unitForgetBias: boolean;
  readonly bidirectional: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  readonly returnSequences: boolean;
  /** One entry (forward) or two (forward, backward). */
  readonly directions: readonly CellWeightNames[];
}

/**
 * Number of gate blocks of a cell: GRU z|r|h, LSTM i|f|c|o, SimpleRNN one, minGRU z|h (update gate,
 * candidate), minLSTM i|f|h (input gate, forget gate, candidate).
 */
export function gateCount(cell: CellType): number {
  switch (cell) {
    case 'gru':
      return 3;
    case 'lstm':
      return 4;
    case 'mingru':
      return 2;
    case 'minlstm':
      return 3;
    default:
      return 1;
  }
}

const kerasBaseName: Record<CellType, string> = {
  gru: 'gru',
  lstm: 'lstm',
  simpleRnn: 'simple_rnn',
  mingru: 'min_gru',
  minlstm: 'min_lstm',
};

function fail(message: string): never {
  throw new GruMathError('INVALID_SPEC', message);
}

function checkPositiveInt(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    fail(`${what} must be a positive integer, got ${JSON.stringify(value)}. Fix the model spec.`);
  }
}

function checkRate(value: unknown, what: string): void {
  if (value === undefined) return;
  if (typeof value !== 'number' || !(value >= 0 && value < 1)) {
    fail(`${what} must be a number in [0, 1), got ${JSON.stringify(value)}. Use 0 to disable it.`);
  }
}

/** Throws a `GruMathError` with code `INVALID_SPEC` that names the bad field when `spec` is not usable. */
export function validateSpec(spec: ModelSpec): void {
  if (spec === null || typeof spec !== 'object') fail('A model spec must be an object.');
  checkPositiveInt(spec.timeSteps, 'spec.timeSteps');
  checkPositiveInt(spec.features, 'spec.features');
  if (typeof spec.classes !== 'number' || !Number.isInteger(spec.classes) || spec.classes < 2) {
    fail(`spec.classes must be an integer ≥ 2, got ${JSON.stringify(spec.classes)}.`);
  }
  checkRate(spec.headDropout, 'spec.headDropout');
  if (!Array.isArray(spec.layers) || spec.layers.length === 0) {
    fail('spec.layers must list at least one recurrent layer, e.g. [{ cell: "gru", units: 128 }].');
  }
  spec.layers.forEach((layer, i) => {
    const where = `spec.layers[${i}]`;
    if (layer === null || typeof layer !== 'object') fail(`${where} must be an object.`);
    if (!CELL_TYPES.includes(layer.cell)) {
      fail(
        `${where}.cell must be "gru", "lstm", "simpleRnn", "mingru" or "minlstm", got ${JSON.stringify(layer.cell)}.`,
      );
    }
    checkPositiveInt(layer.units, `${where}.units`);
    const act = layer.recurrentActivation;
    if (act !== undefined && !RECURRENT_ACTIVATIONS.includes(act)) {
      fail(
        `${where}.recurrentActivation must be "sigmoid", "hardSigmoid" (clip(0.2x + 0.5), tfjs / Keras 2) or ` +
          `"hardSigmoidKeras3" (clip(x/6 + 0.5), Keras 3), got ${JSON.stringify(act)}.`,
      );
    }
    if (layer.resetAfter && layer.cell !== 'gru') fail(`${where}.resetAfter only applies to GRU layers.`);
    const ug = layer.updateGate;
    if (ug !== undefined && ug !== 'keepsOld' && ug !== 'takesNew') {
      fail(
        `${where}.updateGate must be "keepsOld" (Keras: z = 1 keeps the old state) or "takesNew" (the founding text: z = 1 takes the new candidate), got ${JSON.stringify(ug)}.`,
      );
    }
    if (ug === 'takesNew' && layer.cell !== 'gru') fail(`${where}.updateGate only applies to GRU layers.`);
    if (isMinCell(layer.cell)) {
      if (act !== undefined && act !== 'sigmoid') {
        fail(`${where}.recurrentActivation must be "sigmoid" for a ${layer.cell} layer (the paper's gates).`);
      }
      if (layer.recurrentDropout !== undefined && layer.recurrentDropout !== 0) {
        fail(
          `${where}.recurrentDropout must be 0 for a ${layer.cell} layer: it has no recurrent product to drop. ` +
            'Use dropout (on the inputs) instead.',
        );
      }
    }
    checkRate(layer.dropout, `${where}.dropout`);
    checkRate(layer.recurrentDropout, `${where}.recurrentDropout`);
  });
}

/**
 * Applies defaults and names every layer the way Keras and tfjs name a Sequential model's layers:
 * the first GRU is `gru`, the next `gru_1`; a bidirectional wrapper is `bidirectional`, wrapping
 * `forward_gru` and `backward_gru`.
 */
export function resolveLayers(spec: ModelSpec): ResolvedLayer[] {
  validateSpec(spec);
  const counters = new Map<string, number>();
  const nextName = (base: string): string => {
    const n = counters.get(base) ?? 0;
    counters.set(base, n + 1);
    return n === 0 ? base : `${base}_${n}`;
  };
  let inputSize = spec.features;
  return spec.layers.map((layer, index) => {
    const inner = nextName(kerasBaseName[layer.cell]);
    const bidirectional = layer.bidirectional ?? false;
    const name = bidirectional ? nextName('bidirectional') : inner;
    const names = (prefix: string): CellWeightNames => ({
      kernel: `${prefix}/kernel`,
      recurrentKernel: `${prefix}/recurrent_kernel`,
      bias: `${prefix}/bias`,
    });
    const directions = bidirectional
      ? [names(`${name}/forward_${inner}`), names(`${name}/backward_${inner}`)]
      : [names(name)];
    const resolved: ResolvedLayer = {
      index,
      name,
      cell: layer.cell,
      units: layer.units,
      inputSize,
      outputSize: bidirectional ? 2 * layer.units : layer.units,
      resetAfter: layer.resetAfter ?? false,
      recurrentActivation: layer.recurrentActivation ?? 'sigmoid',
      updateGate: layer.updateGate ?? 'keepsOld',
      unitForgetBias: layer.unitForgetBias ?? true,
      bidirectional,
      goBackwards: layer.goBackwards ?? false,
      dropout: layer.dropout ?? 0,
      recurrentDropout: layer.recurrentDropout ?? 0,
      returnSequences: index < spec.layers.length - 1,
      directions,
    };
    inputSize = resolved.outputSize;
    return resolved;
  });
}

/** Name of the dense head's layer in the canonical layout. */
export const DENSE_LAYER_NAME = 'dense';

/**
 * The canonical flat parameter layout of a model: per recurrent layer and direction `kernel [I, g·u]`,
 * `recurrent_kernel [u, g·u]`, `bias [g·u]` (GRU with `resetAfter: [2, 3u]`), then `dense/kernel [H, C]`,
 * `dense/bias [C]`. Gate blocks are in Keras order (GRU z|r|h, LSTM i|f|c|o; minGRU z|h, minLSTM i|f|h).
 * The minimal cells have no `recurrent_kernel` entry. Parameters, gradients and optimizer slots all
 * share this layout.
 */
export function weightLayout(spec: ModelSpec): { entries: WeightEntry[]; totalSize: number } {
  const entries: WeightEntry[] = [];
  let offset = 0;
  const push = (name: string, shape: number[]): void => {
    const size = shape.reduce((a, b) => a * b, 1);
    entries.push({ name, shape, offset, size });
    offset += size;
  };
  const layers = resolveLayers(spec);
  for (const layer of layers) {
    const g = gateCount(layer.cell) * layer.units;
    for (const dir of layer.directions) {
      push(dir.kernel, [layer.inputSize, g]);
      if (hasRecurrentKernel(layer.cell)) push(dir.recurrentKernel, [layer.units, g]);
      push(dir.bias, layer.cell === 'gru' && layer.resetAfter ? [2, g] : [g]);
    }
  }
  const last = layers[layers.length - 1]!;
  push(`${DENSE_LAYER_NAME}/kernel`, [last.outputSize, spec.classes]);
  push(`${DENSE_LAYER_NAME}/bias`, [spec.classes]);
  return { entries, totalSize: offset };
}

/** Total number of trainable parameters of a model. */
export function parameterCount(spec: ModelSpec): number {
  return weightLayout(spec).totalSize;
}
