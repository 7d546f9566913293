import type { NamedWeights } from './engine/contract';
import { GruMathError } from './errors';
import type { FloatArray } from './float-array';
import type { WeightEntry } from './spec';

const fmt = (shape: readonly number[]): string => `[${shape.join(', ')}]`;

/** Throws unless `batch` is a positive integer. */
export function checkBatch(batch: number, what = 'batch'): void {
  if (!Number.isInteger(batch) || batch < 1) {
    throw new GruMathError(
      'INVALID_ARGUMENT',
      `${what} must be a positive integer, got ${batch}. Pass the number of samples in the buffer.`,
    );
  }
}

/**
 * Throws `SHAPE_MISMATCH` unless `values` is a Float32Array (or Float64Array) holding exactly
 * the product of `shape`; `names` labels the dimensions in the message.
 */
export function checkTensor(
  tensor: string,
  values: unknown,
  shape: readonly number[],
  names: readonly string[],
): void {
  const expected = shape.reduce((a, b) => a * b, 1);
  const described = `[${names.map((n, i) => `${n}=${shape[i]}`).join(', ')}]`;
  if (!(values instanceof Float32Array) && !(values instanceof Float64Array)) {
    const given = values === null ? 'null' : Array.isArray(values) ? 'an Array' : typeof values;
    throw new GruMathError(
      'SHAPE_MISMATCH',
      `${tensor} must be a Float32Array of shape ${described} (${expected} values), got ${given}. Convert it with Float32Array.from(...).`,
    );
  }
  if (values.length !== expected) {
    throw new GruMathError(
      'SHAPE_MISMATCH',
      `${tensor} has ${values.length} values but shape ${described} needs ${expected}. Pass ${tensor} as a row-major buffer of shape ${fmt(shape)}.`,
    );
  }
}

/** Throws `NON_FINITE` naming the tensor and the multi-index of the first NaN or ±Infinity. */
export function checkFinite(tensor: string, values: FloatArray, shape: readonly number[]): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v - v !== 0) {
      const index: number[] = [];
      let rest = i;
      for (let d = shape.length - 1; d >= 0; d--) {
        index.unshift(rest % shape[d]!);
        rest = Math.floor(rest / shape[d]!);
      }
      throw new GruMathError(
        'NON_FINITE',
        `${tensor} of shape ${fmt(shape)} contains ${v} at index ${fmt(index)}. Replace NaN and Infinity values (check the data and its normalization) before passing them.`,
      );
    }
  }
}

/**
 * The one check of a batch of sequences `x: [batch, timeSteps, features]` for every engine: `batch`
 * a positive integer (`INVALID_ARGUMENT`), `x` a Float32Array of that size (`SHAPE_MISMATCH`), every
 * value finite (`NON_FINITE`).
 */
export function checkSequenceBatch(x: unknown, batch: number, timeSteps: number, features: number): void {
  checkBatch(batch);
  const shape = [batch, timeSteps, features];
  checkTensor('x', x, shape, ['batch', 'timeSteps', 'features']);
  checkFinite('x', x as Float32Array, shape);
}

/** Throws `SHAPE_MISMATCH` (message: `has`, what is needed, the fix) unless a per-sample input holds `batch` values. */
function checkSampleCount(has: string, length: number, batch: number, perSample: string): void {
  if (length !== batch) {
    throw new GruMathError(
      'SHAPE_MISMATCH',
      `${has} but shape [batch=${batch}] needs ${batch}. Pass one ${perSample} per sample.`,
    );
  }
}

/** Throws unless `labels` is an Int32Array of `batch` class indices in [0, classes). */
export function checkLabels(labels: unknown, batch: number, classes: number): void {
  if (!(labels instanceof Int32Array)) {
    throw new GruMathError(
      'SHAPE_MISMATCH',
      `y must be an Int32Array of shape [batch=${batch}] holding class indices, got ${labels === null ? 'null' : typeof labels}. Convert it with Int32Array.from(...).`,
    );
  }
  checkSampleCount(`y has ${labels.length} labels`, labels.length, batch, 'class index');
  for (let i = 0; i < batch; i++) {
    const c = labels[i]!;
    if (c < 0 || c >= classes) {
      throw new GruMathError(
        'INVALID_ARGUMENT',
        `y[${i}] is ${c} but the model has ${classes} classes, so labels must be integers in [0, ${classes - 1}].`,
      );
    }
  }
}

/**
 * The per-sample loss weights of a training batch (`Network.trainBatch`'s `weights`): a Float32Array
 * of `batch` finite numbers ≥ 0, or undefined (every sample weighs 1). Throws `SHAPE_MISMATCH` for the
 * wrong type or length and `INVALID_ARGUMENT` naming the first bad value.
 */
export function checkSampleWeights(weights: unknown, batch: number): void {
  if (weights === undefined) return;
  if (!(weights instanceof Float32Array)) {
    throw new GruMathError(
      'SHAPE_MISMATCH',
      `weights must be a Float32Array of shape [batch=${batch}] (one loss weight per sample), got ${weights === null ? 'null' : typeof weights}. Convert it with Float32Array.from(...) or leave it out.`,
    );
  }
  checkSampleCount(`weights has ${weights.length} values`, weights.length, batch, 'loss weight');
  for (let i = 0; i < batch; i++) {
    const w = weights[i]!;
    if (!(w >= 0 && Number.isFinite(w))) {
      throw new GruMathError(
        'INVALID_ARGUMENT',
        `weights[${i}] is ${w}, but loss weights must be finite numbers ≥ 0 (0 leaves a sample out).`,
      );
    }
  }
}

/**
 * Matches named weights against the canonical layout: every entry present once, known names only,
 * shapes and sizes as the layout says, finite values. Returns the values in layout order.
 */
export function matchWeights(entries: readonly WeightEntry[], weights: NamedWeights): FloatArray[] {
  if (!Array.isArray(weights)) {
    throw new GruMathError(
      'INVALID_ARGUMENT',
      'weights must be an array of { name, shape, values } as getWeights() returns.',
    );
  }
  const byName = new Map<string, NamedWeights[number]>();
  for (const w of weights) {
    if (w === null || typeof w !== 'object' || typeof w.name !== 'string' || !Array.isArray(w.shape)) {
      throw new GruMathError(
        'INVALID_ARGUMENT',
        'Every weight must be an object { name: string, shape: number[], values: Float32Array } as getWeights() returns.',
      );
    }
    if (byName.has(w.name)) {
      throw new GruMathError('INVALID_ARGUMENT', `Weight "${w.name}" is given twice. Pass each weight once.`);
    }
    byName.set(w.name, w);
  }
  const known = new Set(entries.map((e) => e.name));
  for (const w of weights) {
    if (!known.has(w.name)) {
      throw new GruMathError(
        'UNKNOWN_WEIGHT',
        `Unknown weight "${w.name}". This model's weights are: ${entries.map((e) => e.name).join(', ')}.`,
      );
    }
  }
  return entries.map((entry) => {
    const w = byName.get(entry.name);
    if (w === undefined) {
      throw new GruMathError(
        'MISSING_WEIGHT',
        `Missing weight "${entry.name}" (shape ${fmt(entry.shape)}). Pass every weight of the model; getWeights() lists them.`,
      );
    }
    const shapeOk = w.shape.length === entry.shape.length && w.shape.every((d, i) => d === entry.shape[i]);
    if (!shapeOk) {
      throw new GruMathError(
        'SHAPE_MISMATCH',
        `Weight "${entry.name}" has shape ${fmt(w.shape)} but the model expects ${fmt(entry.shape)}. Check the model spec (units, features, classes, resetAfter) the weights were trained with.`,
      );
    }
    if (!(w.values instanceof Float32Array || (w.values as unknown) instanceof Float64Array)) {
      throw new GruMathError(
        'SHAPE_MISMATCH',
        `Weight "${entry.name}" values must be a Float32Array of shape ${fmt(entry.shape)}.`,
      );
    }
    if (w.values.length !== entry.size) {
      throw new GruMathError(
        'SHAPE_MISMATCH',
        `Weight "${entry.name}" has ${w.values.length} values but shape ${fmt(entry.shape)} needs ${entry.size}. Pass a row-major buffer of that shape.`,
      );
    }
    checkFinite(`Weight "${entry.name}"`, w.values, entry.shape);
    return w.values;
  });
}
