import type { ModelSpec, NamedWeight, NamedWeights } from '@gruvision/math';
import { weightLayout } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { GruTfjsError } from './errors';

function mismatch(message: string): never {
  throw new GruTfjsError('WEIGHTS_MISMATCH', message);
}

function sameShape(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** The model's variables by canonical (original) name, checked against the layout of `spec`. */
function variablesByName(model: tf.LayersModel, spec: ModelSpec): Map<string, tf.LayerVariable> {
  const byName = new Map<string, tf.LayerVariable>();
  for (const w of model.weights) byName.set(w.originalName, w);
  for (const entry of weightLayout(spec).entries) {
    const variable = byName.get(entry.name);
    if (!variable) {
      mismatch(
        `The tfjs model has no weight "${entry.name}" (it has ${[...byName.keys()].join(', ')}). Build it with buildModel(spec) for this spec.`,
      );
    }
    if (!sameShape(variable.shape as number[], entry.shape)) {
      mismatch(
        `Weight "${entry.name}" has shape [${variable.shape}] in the tfjs model but [${entry.shape}] in the spec. Build the model from the same spec.`,
      );
    }
  }
  return byName;
}

/** Checks `weights` against the canonical layout of `spec`: same names, shapes and sizes. */
export function checkNamedWeights(spec: ModelSpec, weights: NamedWeights): void {
  const given = new Map<string, NamedWeight>();
  for (const w of weights) {
    if (given.has(w.name)) mismatch(`Weight "${w.name}" is given twice. Pass each weight once.`);
    given.set(w.name, w);
  }
  const entries = weightLayout(spec).entries;
  for (const entry of entries) {
    const w = given.get(entry.name);
    if (!w) mismatch(`Weight "${entry.name}" is missing. Pass every weight of weightLayout(spec).`);
    if (!sameShape(w.shape, entry.shape) || w.values.length !== entry.size) {
      mismatch(
        `Weight "${entry.name}" has shape [${w.shape}] (${w.values.length} values), expected [${entry.shape}]. Use weights made for this spec.`,
      );
    }
  }
  if (given.size !== entries.length) {
    const known = new Set(entries.map((e) => e.name));
    const unknown = [...given.keys()].filter((n) => !known.has(n));
    mismatch(`Unknown weight(s) ${unknown.join(', ')} for this spec. Use the names of weightLayout(spec).`);
  }
}

/**
 * Canonical weights → tfjs tensors in the order of `weightLayout(spec).entries`, which is also the
 * order of `buildModel(spec).weights` (so `model.setWeights(toTfjsWeights(spec, w))` works).
 * The caller owns (and disposes) the tensors.
 */
export function toTfjsWeights(spec: ModelSpec, weights: NamedWeights): tf.Tensor[] {
  checkNamedWeights(spec, weights);
  const byName = new Map(weights.map((w) => [w.name, w]));
  return weightLayout(spec).entries.map((entry) => {
    const w = byName.get(entry.name)!;
    return tf.tensor(Float32Array.from(w.values), [...entry.shape], 'float32');
  });
}

/** Writes canonical weights into a model built by `buildModel(spec)` (matched by name, shapes checked). */
export function setNamedWeights(model: tf.LayersModel, spec: ModelSpec, weights: NamedWeights): void {
  checkNamedWeights(spec, weights);
  const variables = variablesByName(model, spec);
  tf.tidy(() => {
    for (const w of weights) {
      variables.get(w.name)!.write(tf.tensor(Float32Array.from(w.values), [...w.shape], 'float32'));
    }
  });
}

/** Reads a model's weights in the canonical names, shapes and order of `weightLayout(spec)` (copies). */
export function getNamedWeights(model: tf.LayersModel, spec: ModelSpec): NamedWeight[] {
  const variables = variablesByName(model, spec);
  return weightLayout(spec).entries.map((entry) => {
    const values = variables.get(entry.name)!.read().dataSync() as Float32Array;
    return { name: entry.name, shape: [...entry.shape], values: Float32Array.from(values) };
  });
}
