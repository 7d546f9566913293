import { Rng } from './rng';

/**
 * How an image becomes a sequence, as plain data (stored with a model): `rows` (T = height), `columns`
 * (T = width, top to bottom), `pixels` (T = height·width, raster order) or `patches` (p×p tiles in raster
 * order, each tile's pixels row by row). `permutationSeed` reorders the steps: output step t is input
 * step perm[t], perm = `new Rng(seed).shuffle([0 … T−1])`. `normalize` maps a byte v to (v/255 − mean)/std.
 * `@gruvision/data` (training, prediction) and `@gruvision/interop` (ONNX graphs) both use this one gather;
 * each checks a view with its own typed error first.
 */
export interface ImageSequenceView {
  readonly mode: 'rows' | 'columns' | 'pixels' | 'patches';
  readonly patchSize?: number;
  readonly permutationSeed?: number;
  readonly normalize?: { readonly mean: number; readonly std: number };
}

/** The image a view is applied to (HWC bytes). */
export interface ImageDimensions {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** `{ timeSteps, features }` of a view the caller has checked (for `patches`, p divides both sides). */
export function viewDimensions(
  view: ImageSequenceView,
  image: ImageDimensions,
): { timeSteps: number; features: number } {
  const { height, width, channels } = image;
  switch (view.mode) {
    case 'rows':
      return { timeSteps: height, features: width * channels };
    case 'columns':
      return { timeSteps: width, features: height * channels };
    case 'pixels':
      return { timeSteps: height * width, features: channels };
    case 'patches': {
      const p = view.patchSize!;
      return { timeSteps: (height / p) * (width / p), features: p * p * channels };
    }
  }
}

/**
 * For each float of one image's `[T, F]` sequence, the index of the HWC byte it reads, for a view the
 * caller has checked.
 */
export function viewGather(view: ImageSequenceView, image: ImageDimensions): Int32Array {
  const { timeSteps: T, features: F } = viewDimensions(view, image);
  const { height: H, width: W, channels: C } = image;
  const base = new Int32Array(T * F);
  let k = 0;
  if (view.mode === 'rows' || view.mode === 'pixels') {
    for (let i = 0; i < T * F; i++) base[i] = i;
  } else if (view.mode === 'columns') {
    for (let x = 0; x < W; x++)
      for (let y = 0; y < H; y++) for (let c = 0; c < C; c++) base[k++] = (y * W + x) * C + c;
  } else {
    const p = view.patchSize!;
    for (let py = 0; py < H / p; py++)
      for (let px = 0; px < W / p; px++)
        for (let dy = 0; dy < p; dy++)
          for (let dx = 0; dx < p; dx++)
            for (let c = 0; c < C; c++) base[k++] = ((py * p + dy) * W + px * p + dx) * C + c;
  }
  if (view.permutationSeed === undefined) return base;
  const perm = new Int32Array(T);
  for (let t = 0; t < T; t++) perm[t] = t;
  new Rng(view.permutationSeed).shuffle(perm);
  const out = new Int32Array(T * F);
  for (let t = 0; t < T; t++) out.set(base.subarray(perm[t]! * F, perm[t]! * F + F), t * F);
  return out;
}

/** `x ↦ x · scale + shift` maps a 0–255 byte to the model's feature value. */
export function viewScale(view: ImageSequenceView): { scale: number; shift: number } {
  const mean = view.normalize?.mean ?? 0;
  const std = view.normalize?.std ?? 1;
  return { scale: 1 / (255 * std), shift: -mean / std };
}
