import type { Batch, ImageSet } from '@gruvision/data';
import { invalid } from '../errors';
import { closestKey } from '../option-keys';

/**
 * Per-class loss weights of `fit`: `'balanced'`, one weight per class in label order, or
 * `{ className: weight }` (a key may also be a label index, `'3'`); classes left out weigh 1.
 */
export type ClassWeight = 'balanced' | readonly number[] | Readonly<Record<string, number>>;

/**
 * `'balanced'`: Keras's and scikit-learn's `n_samples / (n_classes · count_c)` over the images `fit`
 * trains on (after a validation fraction is held out), with `n_classes` the number of classes that have
 * images; a class without images gets 1 (no sample uses it). The weights then average 1 over the images.
 */
export function balancedClassWeights(labels: ArrayLike<number>, classes: number): Float64Array {
  const counts = new Float64Array(classes);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const present = counts.reduce((a, c) => a + (c > 0 ? 1 : 0), 0);
  return counts.map((c) => (c > 0 ? labels.length / (present * c) : 1));
}

function checkWeight(value: unknown, what: string): number {
  if (typeof value !== 'number' || !(value >= 0 && Number.isFinite(value))) {
    invalid(`${what} is ${String(value)}, but a loss weight must be a finite number ≥ 0 (0 leaves it out).`);
  }
  return value;
}

/** The weight of each class (label order) that `classWeight` asks for, or undefined without one. */
export function resolveClassWeights(
  classWeight: ClassWeight | undefined,
  train: Pick<ImageSet, 'labels' | 'count' | 'classNames'>,
): Float64Array | undefined {
  if (classWeight === undefined) return undefined;
  const names = train.classNames;
  const C = names.length;
  if (classWeight === 'balanced') return balancedClassWeights(train.labels.subarray(0, train.count), C);
  if (Array.isArray(classWeight)) {
    if (classWeight.length !== C) {
      invalid(
        `fit: classWeight has ${classWeight.length} weights but the model has ${C} classes (${names.join(', ')}). ` +
          'Pass one weight per class in label order, { className: weight }, or "balanced".',
      );
    }
    return Float64Array.from(classWeight, (w, c) => checkWeight(w, `fit: classWeight[${c}]`));
  }
  if (classWeight === null || typeof classWeight !== 'object') {
    invalid(
      `fit: classWeight must be "balanced", an array of ${C} weights or { className: weight }, got ${JSON.stringify(classWeight)}.`,
    );
  }
  const weights = new Float64Array(C).fill(1);
  for (const [key, value] of Object.entries(classWeight as Record<string, unknown>)) {
    let c = names.indexOf(key);
    if (c < 0 && /^\d+$/.test(key) && Number(key) < C) c = Number(key);
    if (c < 0) {
      const closest = closestKey(key, names);
      invalid(
        `fit: classWeight names the class "${key}", which the model does not have${closest !== undefined ? ` (did you mean "${closest}"?)` : ''}. ` +
          `Classes: ${names.join(', ')} (or their label indices 0–${C - 1}).`,
      );
    }
    weights[c] = checkWeight(value, `fit: classWeight["${key}"]`);
  }
  return weights;
}

/**
 * `sampleWeight` (one weight per image of the set passed to `fit`) for the images `fit` trains on,
 * picked by `trainIndices` when a validation fraction was held out; undefined without one.
 */
export function resolveSampleWeights(
  sampleWeight: ArrayLike<number> | undefined,
  count: number,
  trainIndices: ArrayLike<number> | undefined,
): Float32Array | undefined {
  if (sampleWeight === undefined) return undefined;
  if (sampleWeight === null || typeof sampleWeight !== 'object' || typeof sampleWeight.length !== 'number') {
    invalid(
      `fit: sampleWeight must be an array (or Float32Array) of one weight per training image, got ${sampleWeight === null ? 'null' : typeof sampleWeight}.`,
    );
  }
  if (sampleWeight.length !== count) {
    invalid(
      `fit: sampleWeight has ${sampleWeight.length} weights but the training set has ${count} images. Pass one weight per image, in set order.`,
    );
  }
  for (let i = 0; i < count; i++) checkWeight(sampleWeight[i], `fit: sampleWeight[${i}]`);
  if (trainIndices === undefined) return Float32Array.from(sampleWeight);
  return Float32Array.from(trainIndices, (i) => sampleWeight[i]!);
}

/**
 * The loss weights of one batch, `classWeight[y] · sampleWeight[image]` per sample (Keras multiplies
 * them too), or undefined when `fit` has neither (the engines' unweighted path).
 */
export function batchWeights(
  classWeights: Float64Array | undefined,
  sampleWeights: Float32Array | undefined,
): ((batch: Batch) => Float32Array) | undefined {
  if (classWeights === undefined && sampleWeights === undefined) return undefined;
  return (batch) => {
    const w = new Float32Array(batch.size);
    for (let i = 0; i < batch.size; i++) {
      w[i] = (classWeights?.[batch.y[i]!] ?? 1) * (sampleWeights?.[batch.indices[i]!] ?? 1);
    }
    return w;
  };
}
