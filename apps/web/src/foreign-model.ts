// A PyTorch-side model dropped on the page (ONNX or safetensors), turned into a classifier with the
// converters of @gruvision/interop. Loaded by the inference worker on demand only (a dynamic import),
// so the page's first load does not carry the ONNX reader.
import {
  ARTIFACT_FORMAT_VERSION,
  CLASSIFIER_VERSION,
  type EngineOption,
  GruClassifier,
  type GruvisionMetadata,
} from '@gruvision/classifier';
import { type InteropModel, modelFromOnnx, modelFromSafetensors } from '@gruvision/interop';
import type { ForeignModel } from './protocol';

/** Reads the file as its format says; a file that is not a model is refused with a typed error naming it. */
export function readForeign(model: ForeignModel): InteropModel {
  const options = { file: model.name };
  return model.format === 'onnx'
    ? modelFromOnnx(model.bytes, options)
    : modelFromSafetensors(model.bytes, options);
}

/** A classifier on `engine` with the weights of the file (the same spec, view, classes as its metadata). */
export async function classifierOfForeign(model: ForeignModel, engine: EngineOption): Promise<GruClassifier> {
  const read = readForeign(model);
  const metadata: GruvisionMetadata = {
    formatVersion: ARTIFACT_FORMAT_VERSION,
    version: CLASSIFIER_VERSION,
    classNames: [...read.classNames],
    input: read.input,
    view: read.view as GruvisionMetadata['view'],
    preprocess: read.preprocess,
    spec: read.spec,
    seed: read.seed ?? 0,
  };
  return GruClassifier.fromWeights(metadata, read.weights, engine);
}
