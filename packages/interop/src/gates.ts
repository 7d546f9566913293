import { type CellType, hardSigmoidCoefficients, RECURRENT_ACTIVATIONS } from '@gruvision/math';
import { GruInteropError } from './errors';

/** An ONNX recurrent activation: its name and, for the parametric ones, alpha and beta. */
export interface OnnxActivation {
  readonly name: 'Sigmoid' | 'HardSigmoid' | 'Tanh';
  readonly alpha?: number;
  readonly beta?: number;
}

/**
 * Gate activations of the spec, as ONNX activations (HardSigmoid is clip(alpha·x + beta, 0, 1)): every
 * `RECURRENT_ACTIVATIONS` name, with alpha and beta from `hardSigmoidCoefficients` of the math core
 * (`sigmoid`; `hardSigmoid` 0.2 / 0.5, tfjs and Keras 2; `hardSigmoidKeras3` 1/6 / 0.5).
 */
export const GATE_ACTIVATIONS: Readonly<Record<string, OnnxActivation>> = Object.fromEntries(
  RECURRENT_ACTIVATIONS.map((name): [string, OnnxActivation] => {
    const hard = hardSigmoidCoefficients(name);
    return [name, hard === undefined ? { name: 'Sigmoid' } : { name: 'HardSigmoid', ...hard }];
  }),
);

/** The ONNX activation of a spec's `recurrentActivation`; refuses names it does not know. */
export function gateActivation(name: string, where: string): OnnxActivation {
  const found = Object.hasOwn(GATE_ACTIVATIONS, name) ? GATE_ACTIVATIONS[name] : undefined;
  if (found === undefined) {
    throw new GruInteropError(
      'UNSUPPORTED_MODEL',
      `${where}: gate activation ${JSON.stringify(name)} has no ONNX equivalent here (known: ${Object.keys(GATE_ACTIVATIONS).join(', ')}). ` +
        'Retrain with one of those, or add it to RECURRENT_ACTIVATIONS and hardSigmoidCoefficients in @gruvision/math.',
    );
  }
  return found;
}

/** The spec name of an ONNX gate activation, or `undefined` when it matches none of ours. */
export function gateActivationName(activation: OnnxActivation): string | undefined {
  const close = (a: number | undefined, b: number | undefined) =>
    a === undefined || b === undefined ? a === b : Math.abs(a - b) <= 1e-6;
  for (const [name, known] of Object.entries(GATE_ACTIVATIONS)) {
    if (
      known.name === activation.name &&
      close(known.alpha, activation.alpha) &&
      close(known.beta, activation.beta)
    ) {
      return name;
    }
  }
  return undefined;
}

/** ONNX activations per direction of a cell: GRU [f, g], LSTM [f, g, h], RNN [f]. */
export function cellActivations(cell: CellType, gate: OnnxActivation): OnnxActivation[] {
  const tanh: OnnxActivation = { name: 'Tanh' };
  if (cell === 'gru') return [gate, tanh];
  if (cell === 'lstm') return [gate, tanh, tanh];
  return [tanh];
}
