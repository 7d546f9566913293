import { MODEL_JSON_FILE, WEIGHTS_FILE, weightsPathProblem } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { GruTfjsError } from './errors';

/** File names of a gruvision model directory (defined once, in `@gruvision/math`). */
export { MODEL_JSON_FILE, WEIGHTS_FILE };

type WeightSpec = tf.io.WeightsManifestEntry;
type Bytes = ArrayBuffer | Uint8Array;

const bytesPerElement: Record<string, number> = {
  float32: 4,
  int32: 4,
  bool: 1,
  complex64: 8,
  uint8: 1,
  uint16: 2,
  float16: 2,
};

/** Bytes one weight takes in a weights file (quantized weights take their quantized size). */
export function weightByteLength(spec: WeightSpec): number {
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const size = bytesPerElement[dtype];
  if (size === undefined) {
    throw new GruTfjsError(
      'INVALID_MODEL_FILE',
      `Weight "${spec.name}" has dtype "${dtype}", which a layers-model weights file cannot hold here. Save numeric weights only.`,
    );
  }
  return spec.shape.reduce((a, b) => a * b, 1) * size;
}

/** One contiguous `ArrayBuffer` of the weight data of some artifacts. */
export function joinWeightData(weightData: tf.io.WeightData | undefined): ArrayBuffer {
  if (weightData === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(weightData);
}

function toArrayBuffer(bytes: Bytes): ArrayBuffer {
  if (bytes instanceof ArrayBuffer) return bytes;
  return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
}

/**
 * Artifacts → the two files of a model directory: `model.json` (layers-model format, one weights
 * group whose single path is `weightsPath`) and the bytes of that weights file.
 */
export function toModelFiles(
  artifacts: tf.io.ModelArtifacts,
  weightsPath: string = WEIGHTS_FILE,
): { modelJson: tf.io.ModelJSON; weightData: ArrayBuffer } {
  if (artifacts.modelTopology instanceof ArrayBuffer) {
    throw new GruTfjsError(
      'MODEL_SAVE_FAILED',
      'Only layers models can be saved here (the artifacts hold a binary graph topology). Save a tf.LayersModel.',
    );
  }
  const weightData = joinWeightData(artifacts.weightData);
  const specs = artifacts.weightSpecs ?? [];
  const expected = specs.reduce((n, s) => n + weightByteLength(s), 0);
  if (expected !== weightData.byteLength) {
    throw new GruTfjsError(
      'MODEL_SAVE_FAILED',
      `The model's weight specs describe ${expected} bytes but its weight data has ${weightData.byteLength}. Save the model again.`,
    );
  }
  const manifest: tf.io.WeightsManifestConfig = [{ paths: [weightsPath], weights: specs }];
  const modelJson: tf.io.ModelJSON = {
    modelTopology: artifacts.modelTopology as object,
    format: artifacts.format ?? 'layers-model',
    generatedBy: artifacts.generatedBy ?? 'TensorFlow.js tfjs-layers',
    convertedBy: artifacts.convertedBy ?? null,
    weightsManifest: manifest,
  };
  if (artifacts.trainingConfig != null) modelJson.trainingConfig = artifacts.trainingConfig;
  if (artifacts.userDefinedMetadata != null) modelJson.userDefinedMetadata = artifacts.userDefinedMetadata;
  if (artifacts.signature != null) modelJson.signature = artifacts.signature;
  if (artifacts.modelInitializer != null) modelJson.modelInitializer = artifacts.modelInitializer;
  return { modelJson, weightData };
}

/**
 * A `model.json` object and a way to read the files its manifest names → artifacts for
 * `tf.loadLayersModel`. Checks the format, that each weights path is a plain relative file name
 * (no `..`, no absolute path, no URL), and that the weight files hold exactly the bytes the manifest
 * describes — a truncated or foreign `weights.bin` is a clear `GruTfjsError`, not a wrong model.
 */
export async function fromModelFiles(
  modelJson: unknown,
  readFile: (path: string) => Promise<Bytes>,
  where = MODEL_JSON_FILE,
): Promise<tf.io.ModelArtifacts> {
  const json = modelJson as Partial<tf.io.ModelJSON> | null;
  if (
    json === null ||
    typeof json !== 'object' ||
    json.modelTopology == null ||
    typeof json.modelTopology !== 'object'
  ) {
    throw new GruTfjsError(
      'INVALID_MODEL_FILE',
      `${where} has no modelTopology: it is not a TensorFlow.js layers model. Point to the model.json written by model.save() or the tfjs converter.`,
    );
  }
  if (json.format !== undefined && json.format !== 'layers-model') {
    throw new GruTfjsError(
      'INVALID_MODEL_FILE',
      `${where} has format "${json.format}"; only "layers-model" can be loaded as a tf.LayersModel. Convert the model with --output_format=tfjs_layers_model.`,
    );
  }
  const manifest = json.weightsManifest ?? [];
  if (!Array.isArray(manifest)) {
    throw new GruTfjsError(
      'INVALID_MODEL_FILE',
      `${where} has a weightsManifest that is not a list. Re-save the model.`,
    );
  }
  const specs: WeightSpec[] = [];
  const chunks: ArrayBuffer[] = [];
  for (const group of manifest) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group?.weights)) {
      throw new GruTfjsError(
        'INVALID_MODEL_FILE',
        `${where} has a weights group without "paths" and "weights" lists. Re-save the model.`,
      );
    }
    let expected = 0;
    for (const spec of group.weights) {
      expected += weightByteLength(spec);
      specs.push(spec);
    }
    let actual = 0;
    for (const path of group.paths) {
      checkRelativePath(path, where);
      const bytes = toArrayBuffer(await readFile(path));
      actual += bytes.byteLength;
      chunks.push(bytes);
    }
    if (actual !== expected) {
      const names = group.paths.join(', ');
      throw new GruTfjsError(
        'WEIGHTS_TRUNCATED',
        actual < expected
          ? `${names} holds ${actual} bytes but the manifest in ${where} describes ${expected}: the weights file is truncated (an interrupted copy or download?). Copy or save the model again.`
          : `${names} holds ${actual} bytes but the manifest in ${where} describes ${expected}: the weights file belongs to a different model. Keep model.json and its weights together.`,
      );
    }
  }
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    weightSpecs: specs,
    weightData: tf.io.concatenateArrayBuffers(chunks),
  };
  if (json.trainingConfig != null) artifacts.trainingConfig = json.trainingConfig;
  if (json.userDefinedMetadata != null) artifacts.userDefinedMetadata = json.userDefinedMetadata;
  if (json.signature != null) artifacts.signature = json.signature;
  if (json.modelInitializer != null) artifacts.modelInitializer = json.modelInitializer;
  return artifacts;
}

/** Throws unless `path` is a relative path that stays inside the model's directory. */
export function checkRelativePath(path: unknown, where = MODEL_JSON_FILE): void {
  // The rule is the one every gruvision reader applies (`weightsPathProblem` of @gruvision/math).
  if (weightsPathProblem(path) !== undefined) {
    throw new GruTfjsError(
      'INVALID_MODEL_FILE',
      `${where} names the weights file ${JSON.stringify(path)}, which is not a plain relative path inside the model directory. Weights paths must look like "weights.bin" or "group1-shard1of1.bin".`,
    );
  }
}

/** An in-memory `tf.io.IOHandler` (browser-safe): `save` keeps the artifacts, `load` returns them. */
export class MemoryHandler implements tf.io.IOHandler {
  private stored: tf.io.ModelArtifacts | undefined;

  constructor(artifacts?: tf.io.ModelArtifacts) {
    this.stored = artifacts;
  }

  /** The saved artifacts, or `undefined` before the first save. */
  get artifacts(): tf.io.ModelArtifacts | undefined {
    return this.stored;
  }

  async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
    const { modelJson, weightData } = toModelFiles(artifacts);
    this.stored = await fromModelFiles(modelJson, async () => weightData.slice(0));
    return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(this.stored) };
  }

  async load(): Promise<tf.io.ModelArtifacts> {
    if (!this.stored) {
      throw new GruTfjsError(
        'MODEL_LOAD_FAILED',
        'This memory handler holds no model yet. Save a model into it first.',
      );
    }
    return { ...this.stored, weightData: joinWeightData(this.stored.weightData).slice(0) };
  }

  /** The saved model as the two files of a model directory (e.g. to offer them as downloads). */
  toFiles(): { modelJson: tf.io.ModelJSON; weightData: ArrayBuffer } {
    if (!this.stored) {
      throw new GruTfjsError(
        'MODEL_SAVE_FAILED',
        'This memory handler holds no model yet. Save a model into it first.',
      );
    }
    return toModelFiles(this.stored);
  }
}

/** A browser-safe IOHandler keeping a model in memory (pass `artifacts` to load existing ones). */
export function memoryHandler(artifacts?: tf.io.ModelArtifacts): MemoryHandler {
  return new MemoryHandler(artifacts);
}

/**
 * A load-only IOHandler over in-memory files: the parsed `model.json` and its weight files by the
 * path the manifest uses (or a single `ArrayBuffer` when there is one weights file). Same checks as
 * the file-system handler (truncated weights, paths, format).
 */
export function memoryFilesHandler(
  modelJson: unknown,
  weights: Bytes | Readonly<Record<string, Bytes>>,
): tf.io.IOHandler {
  return {
    load: () =>
      fromModelFiles(modelJson, async (path) => {
        if (weights instanceof ArrayBuffer || weights instanceof Uint8Array) return weights;
        const file = weights[path];
        if (file === undefined) {
          throw new GruTfjsError(
            'INVALID_MODEL_FILE',
            `model.json names the weights file "${path}", which was not given (have: ${Object.keys(weights).join(', ') || 'none'}). Pass every file the manifest lists.`,
          );
        }
        return file;
      }),
  };
}
