import type { CellType } from '@gruvision/math';
import { GruInteropError } from './errors';

/** An ONNX recurrent activation: its name and, for the parametric ones, alpha and beta. */
export interface OnnxActivation {
  readonly name: 'Sigmoid' | 'HardSigmoid' | 'Tanh';
  readonly alpha?: number;
  readonly beta?: number;
}

/**
 * Gate activations of the spec, as ONNX activations (HardSigmoid is clip(alpha·x + beta, 0, 1)). The one
 * place a new gate convention goes. The values agree with `hardSigmoidCoefficients` of the math core.
 */
export const GATE_ACTIVATIONS: Readonly<Record<string, OnnxActivation>> = {
  sigmoid: { name: 'Sigmoid' },
  /** tfjs / Keras 2: clip(0.2x + 0.5, 0, 1). */
  hardSigmoid: { name: 'HardSigmoid', alpha: 0.2, beta: 0.5 },
  /** Keras 3: clip(x/6 + 0.5, 0, 1). */
  hardSigmoidKeras3: { name: 'HardSigmoid', alpha: 1 / 6, beta: 0.5 },
};

/** The ONNX activation of a spec's `recurrentActivation`; refuses names it does not know. */
export function gateActivation(name: string, where: string): OnnxActivation {
  const found = Object.hasOwn(GATE_ACTIVATIONS, name) ? GATE_ACTIVATIONS[name] : undefined;
  if (found === undefined) {
    throw new GruInteropError(
      'UNSUPPORTED_MODEL',
      `${where}: gate activation ${JSON.stringify(name)} has no ONNX equivalent here (known: ${Object.keys(GATE_ACTIVATIONS).join(', ')}). ` +
        'Retrain with one of those, or add its alpha/beta to GATE_ACTIVATIONS in @gruvision/interop.',
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
