/** Builds a gruvision model from the layers and head an importer read from a file. */
import type { CellType, ModelSpec, NamedWeight, RecurrentLayerSpec } from '@gruvision/math';
import { resolveLayers } from '@gruvision/math';
import { fail } from './errors';
import type { InteropInputShape, InteropModel, InteropView, ParsedMetadata } from './model';
import { checkModel, viewShape } from './model';

/** Options of the importers: what a file without gruvision metadata cannot say. */
export interface ImportOptions {
  /** Name used in error messages. */
  readonly file?: string;
  /** Input images. Default: from the metadata; else rows of the graph's time steps, one channel. */
  readonly input?: { readonly height: number; readonly width: number; readonly channels?: number };
  /** Default: from the metadata; else `{ mode: 'rows' }` (pixels scaled to [0, 1]). */
  readonly view?: InteropView;
  /** Default: from the metadata; else `0`, `1`, … */
  readonly classNames?: readonly string[];
  /** Default: from the metadata; else `'none'`. */
  readonly preprocess?: 'mnist' | 'none';
  /** Largest accepted file, in bytes. Default 1 GiB. */
  readonly maxBytes?: number;
}

/** One recurrent layer read from a file: its spec and its weights in the canonical layout, per direction. */
export interface ImportedLayer {
  readonly cell: CellType;
  readonly units: number;
  readonly inputSize: number;
  readonly bidirectional: boolean;
  readonly resetAfter: boolean;
  readonly recurrentActivation: string;
  /** Per direction: Keras kernel `[I, g·u]`, recurrent kernel `[u, g·u]`, bias `[g·u]` or `[2, 3u]`. */
  readonly directions: readonly { kernel: Float32Array; recurrentKernel: Float32Array; bias: Float32Array }[];
}

/**
 * Builds the model from layers read from a file: the spec from the metadata (checked against the
 * layers) or from the layers and the options; weights under the canonical names.
 */
export function assembleModel(
  layers: readonly ImportedLayer[],
  denseKernel: Float32Array,
  denseBias: Float32Array,
  classes: number,
  meta: ParsedMetadata | undefined,
  options: ImportOptions,
  file: string,
  stepsHint?: number,
): InteropModel {
  let spec: ModelSpec;
  if (meta) {
    spec = meta.spec;
    const specLayers = Array.isArray(spec.layers) ? spec.layers : [];
    if (specLayers.length !== layers.length) {
      fail(
        'SHAPE_MISMATCH',
        file,
        `the gruvision metadata lists ${specLayers.length} recurrent layers, the weights hold ${layers.length}. The file was edited; export it again.`,
      );
    }
    layers.forEach((l, i) => {
      const s = specLayers[i]!;
      const same =
        s.cell === l.cell &&
        s.units === l.units &&
        (s.bidirectional ?? false) === l.bidirectional &&
        (l.cell !== 'gru' || (s.resetAfter ?? false) === l.resetAfter) &&
        (l.cell === 'simpleRnn' || (s.recurrentActivation ?? 'sigmoid') === l.recurrentActivation);
      if (!same) {
        fail(
          'SHAPE_MISMATCH',
          file,
          `recurrent layer ${i} is a ${l.bidirectional ? 'bidirectional ' : ''}${l.cell} of ${l.units} units, but the gruvision metadata describes ${JSON.stringify(s)}. The file was edited; export it again.`,
        );
      }
    });
    if (spec.classes !== classes)
      fail(
        'SHAPE_MISMATCH',
        file,
        `the head has ${classes} classes, the gruvision metadata ${spec.classes}.`,
      );
  } else {
    const first = layers[0]!;
    const specLayers: RecurrentLayerSpec[] = layers.map((l) => ({
      cell: l.cell,
      units: l.units,
      ...(l.cell === 'gru' ? { resetAfter: l.resetAfter } : {}),
      ...(l.cell !== 'simpleRnn' ? { recurrentActivation: l.recurrentActivation as 'sigmoid' } : {}),
      ...(l.bidirectional ? { bidirectional: true } : {}),
    }));
    spec = { timeSteps: 0, features: first.inputSize, classes, layers: specLayers };
  }
  const view: InteropView = options.view ?? meta?.view ?? { mode: 'rows' };
  let input: InteropInputShape;
  if (options.input) {
    input = {
      height: options.input.height,
      width: options.input.width,
      channels: options.input.channels ?? 1,
    };
  } else if (meta) {
    input = meta.input;
  } else {
    // A sequence model without metadata: rows of `features` pixels, as many rows as the graph says (else square).
    const F = spec.features;
    input =
      view.mode === 'rows'
        ? { height: stepsHint ?? F, width: F, channels: 1 }
        : { height: F, width: F, channels: 1 };
  }
  const shape = viewShape(view, input, `${file}: view`);
  if (shape.features !== spec.features) {
    fail(
      'SHAPE_MISMATCH',
      file,
      `the ${view.mode} view of ${input.height}×${input.width}×${input.channels} images gives ${shape.features} features per step, but the first recurrent layer reads ${spec.features}. ` +
        'Pass the input size the model was trained on (--input HxW) and its view (--view).',
    );
  }
  if (!meta) spec = { ...spec, timeSteps: shape.timeSteps };
  else if (shape.timeSteps !== spec.timeSteps) {
    fail(
      'SHAPE_MISMATCH',
      file,
      `the view gives ${shape.timeSteps} time steps, the gruvision metadata ${spec.timeSteps}.`,
    );
  }
  const classNames =
    options.classNames ?? meta?.classNames ?? Array.from({ length: classes }, (_, i) => String(i));
  let resolved: ReturnType<typeof resolveLayers>;
  try {
    resolved = resolveLayers(spec);
  } catch (error) {
    return fail('INVALID_FILE', file, `describes an invalid model: ${(error as Error).message}`);
  }
  const weights: NamedWeight[] = [];
  resolved.forEach((r, i) => {
    r.directions.forEach((names, d) => {
      const w = layers[i]!.directions[d]!;
      const g = r.cell === 'gru' ? 3 : r.cell === 'lstm' ? 4 : 1;
      weights.push({ name: names.kernel, shape: [r.inputSize, g * r.units], values: w.kernel });
      weights.push({ name: names.recurrentKernel, shape: [r.units, g * r.units], values: w.recurrentKernel });
      weights.push({
        name: names.bias,
        shape: r.cell === 'gru' && r.resetAfter ? [2, 3 * r.units] : [g * r.units],
        values: w.bias,
      });
    });
  });
  const H = resolved[resolved.length - 1]!.outputSize;
  weights.push({ name: 'dense/kernel', shape: [H, classes], values: denseKernel });
  weights.push({ name: 'dense/bias', shape: [classes], values: denseBias });
  const model: InteropModel = {
    spec,
    weights,
    input,
    view,
    classNames,
    preprocess: options.preprocess ?? meta?.preprocess ?? 'none',
    ...(meta?.seed !== undefined ? { seed: meta.seed } : {}),
    ...(meta?.training !== undefined ? { training: meta.training } : {}),
  };
  return { ...model, weights: checkModel(model, file) };
}
