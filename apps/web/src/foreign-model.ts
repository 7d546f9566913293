// A PyTorch-side model dropped on the page (ONNX or safetensors), turned into a classifier with the
// converters of @gruvision/interop. Loaded by the inference worker on demand only (a dynamic import),
// so the page's first load does not carry the ONNX reader.
import { classifierFromPlainModel, type EngineOption, type GruClassifier } from '@gruvision/classifier';
import { type InteropModel, modelFromOnnx, modelFromSafetensors } from '@gruvision/interop';
import type { ForeignModel } from './protocol';

/** Reads the file as its format says; a file that is not a model is refused with a typed error naming it. */
export function readForeign(model: ForeignModel): InteropModel {
  const options = { file: model.name };
  return model.format === 'onnx'
    ? modelFromOnnx(model.bytes, options)
    : modelFromSafetensors(model.bytes, options);
}

/**
 * A classifier on `engine` with the weights of the file (the same spec, view, classes as its metadata).
 * The page only predicts with it, so a training summary in the file's metadata is left out.
 */
export async function classifierOfForeign(model: ForeignModel, engine: EngineOption): Promise<GruClassifier> {
  const { training: _unused, ...read } = readForeign(model);
  return classifierFromPlainModel(read, engine);
}
