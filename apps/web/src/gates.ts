// Which pictures of a recurrent layer the page shows, per cell, with the value range of each colour scale,
// and the order of the units (heatmap columns).
import { niceCeil } from './chart';
import type { GatePanel, GateTrace, GrayImage } from './protocol';
import { updateGateCaption } from './views';

/** The part of a layer trace (`LayerTrace` of `@gruvision/math`) the panels are built from. */
export interface LayerGates {
  readonly cell: string;
  readonly h: Float32Array;
  readonly gates: Readonly<Record<string, Float32Array>>;
}

const GATE_CAPTIONS: Readonly<Record<string, string>> = {
  r: 'reset gate r',
  i: 'input gate i',
  f: 'forget gate f',
  o: 'output gate o',
};

function largest(...arrays: readonly Float32Array[]): number {
  let max = 0;
  for (const a of arrays) for (const v of a) if (Number.isFinite(v) && v > max) max = v;
  return max;
}

/**
 * The heatmaps of one layer: GRU z, r, h; LSTM i, f, o, h; minGRU z, h̃, h; minLSTM f, i, h̃, h;
 * SimpleRNN h. Gates are sigmoids (0…1) and tanh states −1…1; the candidate h̃ = g(W_h x + b) of minGRU
 * and minLSTM is positive and unbounded, so h̃ and h share a 0…M scale with M the data's maximum rounded up.
 */
export function gatePanels(layer: LayerGates, updateGate: 'keepsOld' | 'takesNew'): GatePanel[] {
  const { cell, h, gates } = layer;
  const gate = (key: string, caption: string): GatePanel => ({
    key,
    caption,
    values: gates[key]!,
    min: 0,
    max: 1,
  });
  const state: GatePanel = { key: 'h', caption: 'hidden state h', values: h, min: -1, max: 1 };
  if (cell === 'gru') {
    return [gate('z', updateGateCaption(updateGate)), gate('r', GATE_CAPTIONS.r!), state];
  }
  if (cell === 'lstm') return [...['i', 'f', 'o'].map((k) => gate(k, GATE_CAPTIONS[k]!)), state];
  if (cell === 'mingru' || cell === 'minlstm') {
    const candidate = gates.hCandidate!;
    const top = niceCeil(largest(candidate, h));
    const fromInput =
      cell === 'mingru'
        ? [gate('z', 'update gate z (from the input alone; z = 1 takes the candidate)')]
        : [
            gate('f', 'forget gate f (from the input alone)'),
            gate('i', 'input gate i (from the input alone)'),
          ];
    return [
      ...fromInput,
      { key: 'hCandidate', caption: 'candidate h̃ = g(W_h x + b)', values: candidate, min: 0, max: top },
      { ...state, min: 0, max: top },
    ];
  }
  return [state];
}

/**
 * An order of the units that shows structure: by the time step at which each unit's state changes the
 * most, |h_t − h_{t−1}| with h_{−1} = 0 (units that react to the top of the image first, then the
 * ones that react lower down); ties keep the stored order. `h` is `[timeSteps, units]`.
 */
export function unitsByChange(h: Float32Array, timeSteps: number, units: number): number[] {
  const when = new Int32Array(units);
  for (let j = 0; j < units; j++) {
    let best = -1;
    let at = 0;
    for (let t = 0; t < timeSteps; t++) {
      const prev = t === 0 ? 0 : h[(t - 1) * units + j]!;
      const d = Math.abs(h[t * units + j]! - prev);
      if (d > best) {
        best = d;
        at = t;
      }
    }
    when[j] = at;
  }
  return Array.from({ length: units }, (_, j) => j).sort((a, b) => when[a]! - when[b]! || a - b);
}

/** The columns of a `[rows, cols]` matrix in `order` (column k of the result is column order[k]). */
export function permuteColumns(
  values: Float32Array,
  rows: number,
  cols: number,
  order: readonly number[],
): Float32Array {
  const out = new Float32Array(rows * cols);
  for (let t = 0; t < rows; t++)
    for (let k = 0; k < cols; k++) out[t * cols + k] = values[t * cols + order[k]!]!;
  return out;
}

/** What `GruClassifier.explain` gives that the pictures need. */
export interface ExplanationLike {
  readonly timeSteps: number;
  readonly layers: readonly (LayerGates & { readonly units: number })[];
  readonly stepProbabilities: Float32Array;
  readonly image: {
    readonly width: number;
    readonly height: number;
    readonly channels: number;
    readonly pixels: Uint8Array;
  };
}

/** The first layer's pictures of an explanation. */
export function gateTrace(explanation: ExplanationLike, updateGate: 'keepsOld' | 'takesNew'): GateTrace {
  const layer = explanation.layers[0]!;
  return {
    timeSteps: explanation.timeSteps,
    units: layer.units,
    cell: layer.cell,
    panels: gatePanels(layer, updateGate),
    h: layer.h,
    stepProbabilities: explanation.stepProbabilities,
  };
}

/** The first channel of the image the model read, as gray bytes. */
export function modelInputGray(explanation: ExplanationLike): GrayImage {
  const { width, height, channels, pixels } = explanation.image;
  const gray = new Uint8Array(width * height);
  for (let i = 0; i < gray.length; i++) gray[i] = pixels[i * channels]!;
  return { width, height, pixels: gray };
}
