import type { ImageSequenceView, ModelSpec, NamedWeight } from '@gruvision/math';
import {
  convertUpdateGate,
  viewGather as mathViewGather,
  validateSpec,
  viewDimensions,
  weightLayout,
} from '@gruvision/math';
import { GruInteropError } from './errors';

export { viewScale } from '@gruvision/math';

/**
 * How an image becomes a sequence — `ImageSequenceView` of `@gruvision/math`, the same plain data as
 * `SequenceView` of `@gruvision/data`.
 */
export type InteropView = ImageSequenceView;

/** Input images of a model, before the view. */
export interface InteropInputShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * A whole classifier as plain data — what the converters take and give: the spec, the weights in the
 * canonical (Keras / tfjs) layout and names of `weightLayout(spec)`, and the facts needed to feed it
 * images. `seed` and `training` are carried through the file metadata untouched when present.
 */
export interface InteropModel {
  readonly spec: ModelSpec;
  readonly weights: readonly NamedWeight[];
  readonly input: InteropInputShape;
  readonly view: InteropView;
  readonly classNames: readonly string[];
  readonly preprocess: 'mnist' | 'none';
  readonly seed?: number;
  readonly training?: unknown;
}

/**
 * The same model with every GRU in the standard (Keras / PyTorch / ONNX) update-gate form: a founding-text
 * GRU (`updateGate: 'takesNew'`, h = (1 − z) ⊙ h_prev + z ⊙ ĥ) becomes the `'keepsOld'` GRU with its z
 * block negated, which gives the same outputs. ONNX's GRU operator and PyTorch's nn.GRU know only the
 * standard form, so both exporters write this; the file's metadata then describes the standard form.
 */
export function standardUpdateGate(model: InteropModel): InteropModel {
  if (!model.spec.layers.some((l) => l.cell === 'gru' && l.updateGate === 'takesNew')) return model;
  const { spec, weights } = convertUpdateGate(
    model.spec,
    model.weights.map((w) => ({ name: w.name, shape: [...w.shape], values: w.values })),
    'keepsOld',
  );
  return { ...model, spec, weights };
}

/** Version of the metadata layout written into ONNX `metadata_props` and safetensors `__metadata__`. */
export const INTEROP_METADATA_VERSION = 1;

/**
 * The JSON stored under the key `gruvision` of both formats: the same fields as a model.json's
 * `userDefinedMetadata.gruvision` (spec, view, input, classNames, preprocess, seed, training).
 */
export function metadataJson(model: InteropModel): string {
  return JSON.stringify({
    formatVersion: INTEROP_METADATA_VERSION,
    classNames: model.classNames,
    input: model.input,
    view: model.view,
    preprocess: model.preprocess,
    spec: model.spec,
    seed: model.seed ?? 0,
    ...(model.training === undefined ? {} : { training: model.training }),
  });
}

/** The facts of a `gruvision` metadata JSON (untrusted: checked by `checkModel` afterwards): all but the weights. */
export type ParsedMetadata = Omit<InteropModel, 'weights'>;

/** Parses the `gruvision` metadata string of a file; throws `INVALID_FILE` naming `file`. */
export function parseMetadataJson(text: string, file: string): ParsedMetadata {
  const bad = (problem: string): never => {
    throw new GruInteropError(
      'INVALID_FILE',
      `${file}: the "gruvision" metadata ${problem}. Export the model again with gruvision, or remove the key to import the weights with --input/--view/--classes.`,
      { file },
    );
  };
  let m: unknown;
  try {
    m = JSON.parse(text);
  } catch {
    return bad('is not valid JSON');
  }
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return bad('is not a JSON object');
  const o = m as Record<string, unknown>;
  if (typeof o.formatVersion === 'number' && o.formatVersion > INTEROP_METADATA_VERSION) {
    bad(
      `has format ${o.formatVersion}; this version reads up to ${INTEROP_METADATA_VERSION} (upgrade gruvision)`,
    );
  }
  for (const key of ['spec', 'input', 'view']) {
    if (o[key] === null || typeof o[key] !== 'object') bad(`has no "${key}" object`);
  }
  if (!Array.isArray(o.classNames) || o.classNames.some((c) => typeof c !== 'string')) {
    bad('has no "classNames" array of strings');
  }
  const preprocess = o.preprocess === 'mnist' ? 'mnist' : 'none';
  return {
    spec: o.spec as ModelSpec,
    input: o.input as InteropInputShape,
    view: o.view as InteropView,
    classNames: o.classNames as string[],
    preprocess,
    ...(typeof o.seed === 'number' ? { seed: o.seed } : {}),
    ...(o.training !== undefined ? { training: o.training } : {}),
  };
}

const MODES = ['rows', 'columns', 'pixels', 'patches'] as const;

/** `{ timeSteps, features }` of `view` applied to `input`; throws `INVALID_ARGUMENT` for a bad view. */
export function viewShape(
  view: InteropView,
  input: InteropInputShape,
  where = 'view',
): { timeSteps: number; features: number } {
  const bad = (problem: string): never => {
    throw new GruInteropError('INVALID_ARGUMENT', `${where}: ${problem}`);
  };
  const { height, width, channels } = input;
  for (const [k, v] of Object.entries({ height, width, channels })) {
    if (!Number.isInteger(v) || v < 1 || v > 65_536) bad(`input ${k} must be a positive integer, got ${v}.`);
  }
  if (!view || !MODES.includes(view.mode))
    bad(`mode ${JSON.stringify(view?.mode)} is not one of ${MODES.join(', ')}.`);
  if (view.normalize !== undefined) {
    const { mean, std } = view.normalize;
    if (!Number.isFinite(mean) || !Number.isFinite(std) || !(std > 0)) {
      bad(`normalize needs a finite mean and a positive std, got ${mean}, ${std}.`);
    }
  }
  if (view.permutationSeed !== undefined && !Number.isFinite(view.permutationSeed)) {
    bad(`permutationSeed must be a finite number, got ${view.permutationSeed}.`);
  }
  if (view.mode === 'patches') {
    const p = view.patchSize;
    if (p === undefined || !Number.isInteger(p) || p < 1 || height % p !== 0 || width % p !== 0) {
      bad(`patchSize ${p} must be a positive integer dividing ${height}×${width}.`);
    }
  }
  return viewDimensions(view, input);
}

/**
 * For each float of one image's `[T, F]` sequence, the index of the HWC pixel it reads: `viewGather` of
 * `@gruvision/math` (the map `sequenceGather` of `@gruvision/data` uses too), after `viewShape` checks the view.
 */
export function viewGather(view: InteropView, input: InteropInputShape): Int32Array {
  viewShape(view, input);
  return mathViewGather(view, input);
}

/**
 * Checks a model before it is written or after it is read: spec valid, view consistent with the spec,
 * one name per class, every weight of the layout present with its size and finite. Returns the weights
 * in layout order. Throws a `GruInteropError` that names `file`.
 */
export function checkModel(model: InteropModel, file: string): NamedWeight[] {
  const fail = (
    code: 'INVALID_ARGUMENT' | 'SHAPE_MISMATCH' | 'NON_FINITE' | 'UNKNOWN_TENSOR',
    problem: string,
  ): never => {
    throw new GruInteropError(code, `${file}: ${problem}`, { file });
  };
  try {
    validateSpec(model.spec);
  } catch (error) {
    fail('INVALID_ARGUMENT', `the model spec is invalid: ${(error as Error).message}`);
  }
  const { timeSteps, features } = viewShape(model.view, model.input, `${file}: view`);
  if (timeSteps !== model.spec.timeSteps || features !== model.spec.features) {
    fail(
      'SHAPE_MISMATCH',
      `the ${model.view.mode} view of ${model.input.height}×${model.input.width}×${model.input.channels} images gives ` +
        `${timeSteps} steps of ${features} features, but the network reads ${model.spec.timeSteps} of ${model.spec.features}. ` +
        'Pass the input size and view the model was trained with (--input HxW, --view).',
    );
  }
  if (model.classNames.length !== model.spec.classes) {
    fail(
      'SHAPE_MISMATCH',
      `${model.classNames.length} class names for ${model.spec.classes} classes. Pass exactly ${model.spec.classes} names (--classes a,b,…).`,
    );
  }
  const byName = new Map(model.weights.map((w) => [w.name, w]));
  const { entries } = weightLayout(model.spec);
  const known = new Set(entries.map((e) => e.name));
  for (const w of model.weights) {
    if (!known.has(w.name)) fail('UNKNOWN_TENSOR', `weight ${w.name} is not part of the model spec.`);
  }
  return entries.map((e) => {
    const w = byName.get(e.name);
    if (w === undefined) return fail('UNKNOWN_TENSOR', `weight ${e.name} is missing.`);
    if (w.values.length !== e.size) {
      fail(
        'SHAPE_MISMATCH',
        `weight ${e.name} has ${w.values.length} values, the spec needs ${e.size} ([${e.shape.join(', ')}]).`,
      );
    }
    for (let i = 0; i < w.values.length; i++) {
      if (!Number.isFinite(w.values[i]!)) {
        fail(
          'NON_FINITE',
          `weight ${e.name} holds ${w.values[i]} at index ${i}. The model is corrupt; train or export it again.`,
        );
      }
    }
    return { name: e.name, shape: e.shape, values: Float32Array.from(w.values) };
  });
}
