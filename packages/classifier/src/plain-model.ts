import type { NamedWeight } from '@gruvision/math';
import { ARTIFACT_FORMAT_VERSION, type GruvisionMetadata } from './artifact';
import { GruClassifier } from './classifier';
import type { EngineOption } from './engines';
import { CLASSIFIER_VERSION } from './version';

/**
 * A classifier as plain data: the spec, the weights in the canonical layout (the names of
 * `weightLayout(spec)`), and what is needed to feed it images. The converters of `@gruvision/interop`
 * take and give this shape (their `InteropModel`), so a model passes between the two with
 * `plainModelOf` and `classifierFromPlainModel`.
 */
export type PlainModel = Pick<GruvisionMetadata, 'spec' | 'input' | 'view' | 'classNames' | 'preprocess'> & {
  readonly weights: readonly NamedWeight[];
  readonly seed?: number;
  /**
   * The training summary of the run that made the weights, when known. Read from a file it is
   * untrusted: `classifierFromPlainModel` keeps it only when it is an object that names an optimizer.
   */
  readonly training?: unknown;
};

/** The plain data of a classifier (its weights are copies), with its training summary when it has one. */
export function plainModelOf(model: GruClassifier): PlainModel {
  const meta = model.metadata();
  return {
    spec: meta.spec,
    weights: model.getWeights(),
    input: meta.input,
    view: meta.view,
    classNames: meta.classNames,
    preprocess: meta.preprocess,
    seed: meta.seed,
    ...(meta.training ? { training: meta.training } : {}),
  };
}

/**
 * A classifier on `engine` (default: the math engine) with the spec, view, classes and weights of a
 * plain model, e.g. one that `@gruvision/interop` read from an ONNX or safetensors file. A missing seed
 * is 0. The engine checks the spec and the weights (`GruMathError` / `GruTfjsError`); the converters
 * check the rest of a file before they return.
 */
export async function classifierFromPlainModel(
  model: PlainModel,
  engine?: EngineOption,
): Promise<GruClassifier> {
  const training = model.training as GruvisionMetadata['training'] | undefined;
  const metadata: GruvisionMetadata = {
    formatVersion: ARTIFACT_FORMAT_VERSION,
    version: CLASSIFIER_VERSION,
    classNames: [...model.classNames],
    input: model.input,
    view: model.view,
    preprocess: model.preprocess,
    spec: model.spec,
    seed: model.seed ?? 0,
    ...(training && typeof training === 'object' && training.optimizer ? { training } : {}),
  };
  return GruClassifier.fromWeights(metadata, model.weights, engine);
}
