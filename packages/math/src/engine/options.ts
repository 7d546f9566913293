import { GruMathError } from '../errors';
import type { NetworkOptions, OptimizerSpec, OptimizerState } from './contract';
import { OPTIMIZER_TYPES } from './contract';

function invalid(message: string): never {
  throw new GruMathError('INVALID_ARGUMENT', message);
}

/**
 * The one check of an optimizer spec, for every engine: the type is one of `OPTIMIZER_TYPES` and the
 * learning rate a positive finite number. Throws `INVALID_ARGUMENT` naming the bad field.
 */
export function validateOptimizerSpec(spec: OptimizerSpec): void {
  if (spec === null || typeof spec !== 'object' || !OPTIMIZER_TYPES.includes(spec.type)) {
    invalid(
      `optimizer.type must be one of ${OPTIMIZER_TYPES.map((t) => `"${t}"`).join(', ')}, got ${JSON.stringify(
        (spec as { type?: unknown } | null)?.type,
      )}.`,
    );
  }
  checkLearningRate(spec.learningRate, 'optimizer.learningRate');
}

/** Throws `INVALID_ARGUMENT` unless `learningRate` is a positive finite number. */
export function checkLearningRate(learningRate: number, what = 'learningRate'): void {
  if (!(typeof learningRate === 'number' && learningRate > 0 && Number.isFinite(learningRate))) {
    invalid(`${what} must be a positive finite number, got ${String(learningRate)}.`);
  }
}

/**
 * The one check of network options, for every engine: a finite seed; clipNorm > 0; l2, l1 ≥ 0;
 * labelSmoothing in [0, 1); a valid optimizer. Throws `INVALID_ARGUMENT` naming the field and the fix.
 */
export function checkNetworkOptions(options: NetworkOptions): void {
  if (options === null || typeof options !== 'object') {
    invalid('Network options must be an object like { seed: 42 }.');
  }
  if (!Number.isFinite(options.seed)) invalid(`options.seed must be a finite number, got ${options.seed}.`);
  const { clipNorm, l1, l2, labelSmoothing } = options;
  if (clipNorm !== undefined && !(clipNorm > 0 && Number.isFinite(clipNorm))) {
    invalid(`options.clipNorm must be a positive number, got ${clipNorm}. Omit it to disable clipping.`);
  }
  if (l2 !== undefined && !(l2 >= 0 && Number.isFinite(l2))) {
    invalid(`options.l2 must be a number ≥ 0, got ${l2}. Use 0 to disable it.`);
  }
  if (l1 !== undefined && !(l1 >= 0 && Number.isFinite(l1))) {
    invalid(`options.l1 must be a number ≥ 0, got ${l1}. Use 0 to disable it.`);
  }
  if (labelSmoothing !== undefined && !(labelSmoothing >= 0 && labelSmoothing < 1)) {
    invalid(`options.labelSmoothing must be in [0, 1), got ${labelSmoothing}. Use 0 to disable it.`);
  }
  if (options.optimizer !== undefined) validateOptimizerSpec(options.optimizer);
}

/** Slot names per optimizer, in the canonical flat layout: each slot has one float per parameter. */
export function optimizerSlotNames(spec: OptimizerSpec): string[] {
  switch (spec.type) {
    case 'sgd':
      return (spec.momentum ?? 0) !== 0 ? ['momentum'] : [];
    case 'adam':
    case 'adamw':
      return ['m', 'v'];
    case 'rmsprop':
      return (spec.momentum ?? 0) !== 0 ? ['velocity', 'momentum'] : ['velocity'];
  }
}

/** The scalars of one Adam or AdamW step (`adamStepScalars`). */
export interface AdamStepScalars {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  /** The bias-corrected step size lr·√(1 − β2ᵗ)/(1 − β1ᵗ). */
  readonly stepSize: number;
  /** The decoupled weight-decay factor 1 − lr·wd of AdamW (1 for Adam). */
  readonly decay: number;
}

/**
 * The scalars of Adam / AdamW step `t` (1-based) at `learningRate`, with Keras 3's defaults for what `spec`
 * leaves out (β1 0.9, β2 0.999, ε 1e-7, AdamW weight decay 0.004). Every engine's Adam takes them from here,
 * so the engines step alike.
 */
export function adamStepScalars(
  spec: Extract<OptimizerSpec, { type: 'adam' | 'adamw' }>,
  learningRate: number,
  t: number,
): AdamStepScalars {
  const beta1 = spec.beta1 ?? 0.9;
  const beta2 = spec.beta2 ?? 0.999;
  const stepSize = (learningRate * Math.sqrt(1 - beta2 ** t)) / (1 - beta1 ** t);
  const decay = spec.type === 'adamw' ? 1 - learningRate * (spec.weightDecay ?? 0.004) : 1;
  return { beta1, beta2, epsilon: spec.epsilon ?? 1e-7, stepSize, decay };
}

/** RMSprop's ρ, momentum and ε, with Keras 3's defaults (0.9, 0, 1e-7) for what `spec` leaves out. */
export function rmspropScalars(spec: Extract<OptimizerSpec, { type: 'rmsprop' }>): {
  rho: number;
  momentum: number;
  epsilon: number;
} {
  return { rho: spec.rho ?? 0.9, momentum: spec.momentum ?? 0, epsilon: spec.epsilon ?? 1e-7 };
}

/**
 * The one check of an optimizer state before an engine restores it: a step count ≥ 0 (else
 * `INVALID_ARGUMENT`), the slots of `spec`'s optimizer, each `size` floats (else `SHAPE_MISMATCH`).
 */
export function checkOptimizerState(state: OptimizerState, spec: OptimizerSpec, size: number): void {
  if (!Number.isInteger(state.step) || state.step < 0) {
    invalid(
      `Optimizer state step must be a non-negative integer, got ${state.step}. Pass the object getOptimizerState() returned.`,
    );
  }
  const expected = optimizerSlotNames(spec).sort();
  const given = Object.keys(state.slots).sort();
  if (expected.join(',') !== given.join(',')) {
    throw new GruMathError(
      'SHAPE_MISMATCH',
      `Optimizer state has slots [${given.join(', ')}] but a ${spec.type} optimizer needs [${expected.join(', ')}]. Restore a state saved with the same optimizer settings.`,
    );
  }
  for (const name of expected) {
    const values = state.slots[name]!;
    if (values.length !== size) {
      throw new GruMathError(
        'SHAPE_MISMATCH',
        `Optimizer slot "${name}" has ${values.length} values but the network has ${size} parameters. Restore a state saved from the same model spec.`,
      );
    }
  }
}
