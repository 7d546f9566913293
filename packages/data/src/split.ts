import { GruDataError } from './errors';
import type { ImageSet } from './image-set';
import { SeededRandom } from './random';

/** Images `indices` of `set`, in that order, as a new set (pixels copied). */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const imageSize = set.height * set.width * set.channels;
  const pixels = new Uint8Array(indices.length * imageSize);
  const labels = new Int32Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `subset: index ${index} (position ${i}) is outside [0, ${set.count}). Pass indices of the set.`,
      );
    }
    pixels.set(set.pixels.subarray(index * imageSize, (index + 1) * imageSize), i * imageSize);
    labels[i] = set.labels[index]!;
  }
  return {
    count: indices.length,
    height: set.height,
    width: set.width,
    channels: set.channels,
    pixels,
    labels,
    classNames: set.classNames,
  };
}

/** Concatenates sets of the same shape and classes (e.g. the five CIFAR-10 training batches). */
export function concatImageSets(sets: readonly ImageSet[]): ImageSet {
  const first = sets[0];
  if (!first)
    throw new GruDataError('INVALID_ARGUMENT', 'concatImageSets: no sets given. Pass at least one.');
  let count = 0;
  for (const [i, set] of sets.entries()) {
    if (set.height !== first.height || set.width !== first.width || set.channels !== first.channels) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `concatImageSets: set ${i} is ${set.height}×${set.width}×${set.channels}, set 0 is ` +
          `${first.height}×${first.width}×${first.channels}. Resize them to one shape first.`,
      );
    }
    if (set.classNames.join('\u0000') !== first.classNames.join('\u0000')) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `concatImageSets: set ${i} has different class names from set 0. Join only sets of the same classes.`,
      );
    }
    count += set.count;
  }
  if (sets.length === 1) return first;
  const pixels = new Uint8Array(count * first.height * first.width * first.channels);
  const labels = new Int32Array(count);
  let at = 0;
  for (const set of sets) {
    pixels.set(set.pixels, at * first.height * first.width * first.channels);
    labels.set(set.labels, at);
    at += set.count;
  }
  return { ...first, count, pixels, labels };
}

/** Options of {@link stratifiedSplit}: the validation size as a `fraction` of the set or a `count`. */
export type SplitOptions = { seed: number } & (
  | { fraction: number; count?: never }
  | { count: number; fraction?: never }
);

/** The result of {@link stratifiedSplit}. */
export interface Split {
  train: ImageSet;
  validation: ImageSet;
  /** Indices into the input set, ascending. */
  trainIndices: Int32Array;
  validationIndices: Int32Array;
}

/**
 * Seeded stratified split. The validation size `V` is `count`, or `round(fraction · set.count)`.
 * Each class c of size n_c gets `V · n_c / N` validation images, rounded by the largest-remainder
 * method so the total is exactly V (ties go to the lower class index). Then, with one
 * `SeededRandom(seed)`, classes in label order each shuffle their image indices (ascending to start)
 * and take the first ones for validation. Both outputs keep the input order (ascending indices).
 */
export function stratifiedSplit(set: ImageSet, options: SplitOptions): Split {
  const { trainIndices, validationIndices } = stratifiedSplitIndices(set, options);
  return {
    train: subset(set, trainIndices),
    validation: subset(set, validationIndices),
    trainIndices,
    validationIndices,
  };
}

/** The indices {@link stratifiedSplit} chooses, without copying any image. */
export function stratifiedSplitIndices(
  set: Pick<ImageSet, 'count' | 'labels' | 'classNames'>,
  options: SplitOptions,
): { trainIndices: Int32Array; validationIndices: Int32Array } {
  const total = set.count;
  let validationSize: number;
  if (options.count !== undefined) {
    validationSize = options.count;
    if (!Number.isInteger(validationSize) || validationSize < 0 || validationSize > total) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `stratifiedSplit: count ${validationSize} must be a whole number in [0, ${total}] for a set of ${total} images.`,
      );
    }
  } else {
    const fraction = options.fraction;
    if (typeof fraction !== 'number' || !(fraction >= 0 && fraction <= 1)) {
      throw new GruDataError(
        'INVALID_ARGUMENT',
        `stratifiedSplit: fraction ${String(fraction)} must be in [0, 1]. Pass e.g. { fraction: 0.1, seed: 0 }.`,
      );
    }
    validationSize = Math.round(fraction * total);
  }
  const classes = set.classNames.length;
  const members: number[][] = Array.from({ length: classes }, () => []);
  for (let i = 0; i < total; i++) members[set.labels[i]!]!.push(i);

  const quota = members.map((m) => (total === 0 ? 0 : (validationSize * m.length) / total));
  const take = quota.map(Math.floor);
  let remaining = validationSize - take.reduce((a, b) => a + b, 0);
  const byRemainder = quota
    .map((q, c) => ({ c, r: q - Math.floor(q) }))
    .filter(({ c }) => take[c]! < members[c]!.length)
    .sort((a, b) => b.r - a.r || a.c - b.c);
  for (const { c } of byRemainder) {
    if (remaining <= 0) break;
    take[c]!++;
    remaining--;
  }

  const rng = new SeededRandom(options.seed);
  const isValidation = new Uint8Array(total);
  for (let c = 0; c < classes; c++) {
    const shuffled = rng.shuffle(members[c]!.slice());
    for (let k = 0; k < take[c]!; k++) isValidation[shuffled[k]!] = 1;
  }
  const trainIndices = new Int32Array(total - validationSize);
  const validationIndices = new Int32Array(validationSize);
  let t = 0;
  let v = 0;
  for (let i = 0; i < total; i++) {
    if (isValidation[i]) validationIndices[v++] = i;
    else trainIndices[t++] = i;
  }
  return { trainIndices, validationIndices };
}

/** The set with its images in a seeded random order (`SeededRandom(seed).shuffle`). */
export function shuffleImageSet(set: ImageSet, seed: number): ImageSet {
  const order = new Int32Array(set.count);
  for (let i = 0; i < set.count; i++) order[i] = i;
  return subset(set, new SeededRandom(seed).shuffle(order));
}
