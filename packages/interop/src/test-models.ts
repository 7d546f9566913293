// Test helpers (not exported): classifiers with random weights over every cell, direction, depth,
// view and gate convention the converters support, and images to feed them.
import type { GruClassifierOptions } from '@gruvision/classifier';
import { classifierFromPlainModel, GruClassifier, plainModelOf } from '@gruvision/classifier';
import type { ModelSpec, RecurrentLayerSpec } from '@gruvision/math';
import { Rng } from '@gruvision/math';
import type { InteropModel, InteropView } from './model';
import { viewShape } from './model';
import { modelToOnnx } from './onnx-export';

export interface Combination {
  readonly name: string;
  readonly layers: readonly RecurrentLayerSpec[];
  readonly view: InteropView;
  readonly height?: number;
  readonly width?: number;
  readonly channels?: number;
}

/** Every combination the ONNX parity tests run. */
export const COMBINATIONS: readonly Combination[] = [
  { name: 'gru reset-before sigmoid, rows', layers: [{ cell: 'gru', units: 6 }], view: { mode: 'rows' } },
  {
    name: 'gru reset-after sigmoid, rows',
    layers: [{ cell: 'gru', units: 6, resetAfter: true }],
    view: { mode: 'rows' },
  },
  {
    name: 'gru reset-before hardSigmoid, columns',
    layers: [{ cell: 'gru', units: 5, recurrentActivation: 'hardSigmoid' }],
    view: { mode: 'columns' },
  },
  {
    name: 'gru reset-after hardSigmoid bidirectional, rows normalized',
    layers: [
      { cell: 'gru', units: 5, resetAfter: true, recurrentActivation: 'hardSigmoid', bidirectional: true },
    ],
    view: { mode: 'rows', normalize: { mean: 0.3, std: 0.4 } },
  },
  {
    name: 'gru reset-after Keras 3 hardSigmoid (x/6 + 0.5), rows',
    layers: [{ cell: 'gru', units: 5, resetAfter: true, recurrentActivation: 'hardSigmoidKeras3' }],
    view: { mode: 'rows' },
  },
  {
    name: 'gru founding-text update gate (z = 1 takes the new candidate) 2 layers, rows',
    layers: [
      { cell: 'gru', units: 5, updateGate: 'takesNew' },
      { cell: 'gru', units: 4, resetAfter: true, updateGate: 'takesNew', bidirectional: true },
    ],
    view: { mode: 'rows' },
  },
  { name: 'lstm sigmoid, columns', layers: [{ cell: 'lstm', units: 6 }], view: { mode: 'columns' } },
  {
    name: 'lstm hardSigmoid 2 layers bidirectional, patches 2',
    layers: [
      { cell: 'lstm', units: 4, recurrentActivation: 'hardSigmoid', bidirectional: true },
      { cell: 'lstm', units: 5, recurrentActivation: 'hardSigmoid', bidirectional: true },
    ],
    view: { mode: 'patches', patchSize: 2 },
    width: 8,
  },
  {
    name: 'simpleRnn, pixels',
    layers: [{ cell: 'simpleRnn', units: 7 }],
    view: { mode: 'pixels' },
    height: 5,
    width: 4,
  },
  {
    name: 'simpleRnn 2 layers bidirectional, RGB columns',
    layers: [
      { cell: 'simpleRnn', units: 4, bidirectional: true },
      { cell: 'simpleRnn', units: 3, bidirectional: true },
    ],
    view: { mode: 'columns' },
    channels: 3,
  },
  {
    name: 'gru 2 layers reset-after, permuted rows',
    layers: [
      { cell: 'gru', units: 6, resetAfter: true },
      { cell: 'gru', units: 4, resetAfter: true },
    ],
    view: { mode: 'rows', permutationSeed: 7 },
  },
  {
    name: 'gru goBackwards then lstm, permuted pixels',
    layers: [
      { cell: 'gru', units: 4, goBackwards: true },
      { cell: 'lstm', units: 5 },
    ],
    view: { mode: 'pixels', permutationSeed: 3, normalize: { mean: 0.5, std: 0.25 } },
    height: 4,
    width: 5,
  },
  {
    name: 'gru bidirectional goBackwards 2 layers, rows',
    layers: [
      { cell: 'gru', units: 4, bidirectional: true, goBackwards: true },
      { cell: 'gru', units: 3, resetAfter: true, goBackwards: true },
    ],
    view: { mode: 'rows' },
  },
  {
    name: 'lstm 3 layers mixed, RGB patches 3',
    layers: [
      { cell: 'lstm', units: 3 },
      { cell: 'simpleRnn', units: 4, bidirectional: true },
      { cell: 'gru', units: 5, resetAfter: true, recurrentActivation: 'hardSigmoid' },
    ],
    view: { mode: 'patches', patchSize: 3 },
    height: 6,
    width: 9,
    channels: 3,
  },
];

/** A classifier of `combination` whose every weight (biases too) is random, scaled to drive the gates into their clipped ranges. */
export async function randomClassifier(
  combination: Combination,
  seed = 1,
  classes = 4,
): Promise<GruClassifier> {
  const input = {
    height: combination.height ?? 8,
    width: combination.width ?? 7,
    channels: combination.channels ?? 1,
  };
  const shape = viewShape(combination.view, input);
  const spec: ModelSpec = { ...shape, classes, layers: combination.layers };
  const options: GruClassifierOptions = {
    classNames: Array.from({ length: classes }, (_, i) => `class ${i}`),
    ...input,
    view: combination.view as GruClassifierOptions['view'],
    spec,
    seed,
    engine: 'math',
  };
  const model = await GruClassifier.create(options);
  const rng = new Rng(seed + 100);
  model.setWeights(
    model.getWeights().map((w) => ({
      ...w,
      values: w.values.map((v) => v * 2 + (rng.next() - 0.5) * 1.2),
    })),
  );
  return model;
}

/** The plain data the converters take, from a classifier. */
export function interopModelOf(model: GruClassifier): InteropModel {
  return plainModelOf(model);
}

/** `count` random images of the model's input shape, and the same as one float32 `[N, H, W, C]` array. */
export function randomImages(
  model: { input: { height: number; width: number; channels: number } },
  count: number,
  seed = 5,
): {
  images: { width: number; height: number; channels: 1 | 3 | 4; pixels: Uint8Array }[];
  nhwc: Float32Array;
} {
  const { height, width, channels } = model.input;
  const rng = new Rng(seed);
  const size = height * width * channels;
  const nhwc = new Float32Array(count * size);
  const images = Array.from({ length: count }, (_, n) => {
    const pixels = new Uint8Array(size);
    for (let i = 0; i < size; i++) pixels[i] = Math.floor(rng.next() * 256);
    nhwc.set(pixels, n * size);
    return { width, height, channels: channels as 1 | 3 | 4, pixels };
  });
  return { images, nhwc };
}

/** `predict()`'s probabilities, flattened `[N, classes]`. */
export async function predictProbabilities(
  model: GruClassifier,
  images: ReturnType<typeof randomImages>['images'],
): Promise<Float32Array> {
  const predictions = await model.predict(images);
  const classes = model.classNames.length;
  const out = new Float32Array(predictions.length * classes);
  predictions.forEach((p, i) => {
    out.set(p.probabilities, i * classes);
  });
  return out;
}

export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) return Number.POSITIVE_INFINITY;
  let worst = 0;
  for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
  return worst;
}

/** A math-engine classifier of an imported model. */
export function classifierOf(model: InteropModel): Promise<GruClassifier> {
  return classifierFromPlainModel(model, 'math');
}

/**
 * A random classifier of `combination` exported to ONNX, `count` random images for it (also as one float32
 * `[N, H, W, C]` array) and `predict()`'s probabilities for them: what an ONNX runtime must reproduce.
 */
export async function exportCase(combination: Combination, count: number) {
  const model = await randomClassifier(combination);
  const { images, nhwc } = randomImages(model, count);
  const expected = await predictProbabilities(model, images);
  const interop = interopModelOf(model);
  return { model, interop, bytes: modelToOnnx(interop), nhwc, expected };
}

/**
 * The largest |Δp| between `original`'s probabilities and those of a math classifier of `imported` (the
 * model after a round trip through a converter) on `count` random images.
 */
export async function roundTripGap(
  original: GruClassifier,
  imported: InteropModel,
  count: number,
): Promise<number> {
  const copy = await classifierOf(imported);
  const { images } = randomImages(original, count);
  const gap = maxAbsDiff(
    await predictProbabilities(copy, images),
    await predictProbabilities(original, images),
  );
  copy.dispose();
  return gap;
}

/** The largest |Δp| between PyTorch's probabilities for fixture `c` and a math classifier of its import. */
export async function torchCaseGap(imported: InteropModel, c: TorchCase): Promise<number> {
  const model = await classifierOf(imported);
  const gap = maxAbsDiff(await predictProbabilities(model, torchCaseImages(c)), c.probabilities.flat());
  model.dispose();
  return gap;
}

/** The PyTorch fixtures written by scripts/make-torch-fixtures.py. */
export interface TorchCase {
  readonly name: string;
  readonly cell: string;
  readonly hidden: number;
  readonly layers: number;
  readonly bidirectional: boolean;
  readonly softmax: boolean;
  readonly input: { readonly height: number; readonly width: number };
  readonly pixels: number[][];
  readonly probabilities: number[][];
}

export function torchCaseImages(
  c: TorchCase,
): { width: number; height: number; channels: 1; pixels: Uint8Array }[] {
  return c.pixels.map((p) => ({
    width: c.input.width,
    height: c.input.height,
    channels: 1 as const,
    pixels: Uint8Array.from(p),
  }));
}
