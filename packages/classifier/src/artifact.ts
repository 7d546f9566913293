import type { SequenceView } from '@gruvision/data';
import { assertSequenceView, viewShape } from '@gruvision/data';
import type { ModelSpec, NamedWeight, NamedWeights, OptimizerSpec, WeightEntry } from '@gruvision/math';
import {
  MODEL_JSON_FILE,
  validateSpec,
  WEIGHTS_FILE,
  weightLayout,
  weightsPathProblem,
} from '@gruvision/math';
import * as v from 'valibot';
import { GruClassifierError } from './errors';
import type { ModelLimits } from './model-schema';
import {
  describeIssue,
  exceededLimit,
  jsonDepth,
  jsonTextDepth,
  MAX_JSON_DEPTH,
  MetadataSchema,
} from './model-schema';
import type { ModelTopologyJson } from './topology';
import { modelTopology } from './topology';
import { CLASSIFIER_VERSION } from './version';

/** Version of the `userDefinedMetadata.gruvision` layout. Readers refuse newer versions. */
export const ARTIFACT_FORMAT_VERSION = 1;
/** `model.json` (the name is defined once, in `@gruvision/math`). */
export const MODEL_FILE = MODEL_JSON_FILE;
export { WEIGHTS_FILE };

/** Input images the model expects, before the sequence view. */
export interface InputShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** `'mnist'`: MNIST-style centring of digit pictures at predict time; `'none'`: resize only. */
export type Preprocess = 'mnist' | 'none';

/** What training did, stored with the model. */
export interface TrainingSummary {
  readonly engine: string;
  readonly epochs: number;
  readonly samples: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerSpec;
  readonly seconds: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  /** Epoch (from 1) whose weights were kept, when early stopping restored the best weights. */
  readonly bestEpoch?: number;
  readonly stoppedEarly?: boolean;
  /** What the weights' bits depend on with this engine (e.g. the math engine: not the thread count). */
  readonly bitsDependOn?: string;
}

/** gruvision's own facts about a model, in `userDefinedMetadata.gruvision`. */
export interface GruvisionMetadata {
  readonly formatVersion: number;
  /** Version of `@gruvision/classifier` that wrote the artifact. */
  readonly version: string;
  readonly classNames: readonly string[];
  readonly input: InputShape;
  readonly view: SequenceView;
  readonly preprocess: Preprocess;
  readonly spec: ModelSpec;
  readonly seed: number;
  readonly training?: TrainingSummary;
}

export interface WeightsManifestEntry {
  readonly name: string;
  readonly shape: readonly number[];
  readonly dtype: 'float32';
}

export interface WeightsManifestGroup {
  readonly paths: readonly string[];
  readonly weights: readonly WeightsManifestEntry[];
}

/** A TensorFlow.js layers-model `model.json`. */
export interface ModelJson {
  readonly format: 'layers-model';
  readonly generatedBy: string;
  readonly convertedBy: null;
  readonly modelTopology: ModelTopologyJson;
  readonly weightsManifest: readonly WeightsManifestGroup[];
  readonly userDefinedMetadata: { readonly gruvision: GruvisionMetadata } & Record<string, unknown>;
}

/** A whole model as pure data: `model.json` and the bytes of its weight files, concatenated in manifest order. */
export interface ModelArtifacts {
  readonly modelJson: ModelJson;
  readonly weightData: Uint8Array;
}

/** Bounds applied when reading untrusted artifacts: file sizes, and the sizes a model may ask for. */
export interface ArtifactLimits extends ModelLimits {
  /** Largest accepted `model.json`, in bytes. Default 16 MiB. */
  readonly maxModelJsonBytes?: number;
  /** Largest accepted total of weight bytes. Default 1 GiB. */
  readonly maxWeightBytes?: number;
}

export const DEFAULT_MAX_MODEL_JSON_BYTES = 16 * 1024 * 1024;
export const DEFAULT_MAX_WEIGHT_BYTES = 1024 * 1024 * 1024;

/** Builds `model.json` and the weight bytes (little-endian float32, in `weightLayout(spec)` order). */
export function encodeArtifacts(
  metadata: Omit<GruvisionMetadata, 'formatVersion' | 'version'>,
  weights: NamedWeights,
  weightsPath = WEIGHTS_FILE,
): ModelArtifacts {
  const { entries, totalSize } = weightLayout(metadata.spec);
  const byName = new Map(weights.map((w) => [w.name, w]));
  const floats = new Float32Array(totalSize);
  for (const entry of entries) {
    const w = byName.get(entry.name);
    if (w === undefined || w.values.length !== entry.size) {
      throw new GruClassifierError(
        'WEIGHTS_MISMATCH',
        `Cannot save: weight ${entry.name} is ${w === undefined ? 'missing' : `${w.values.length} floats, expected ${entry.size}`}. ` +
          'The network does not match its spec; this is a bug in the engine that built it.',
      );
    }
    floats.set(w.values, entry.offset);
  }
  const modelJson: ModelJson = {
    format: 'layers-model',
    generatedBy: `gruvision ${CLASSIFIER_VERSION}`,
    convertedBy: null,
    modelTopology: modelTopology(metadata.spec),
    weightsManifest: [
      {
        paths: [weightsPath],
        weights: entries.map((e) => ({ name: e.name, shape: [...e.shape], dtype: 'float32' as const })),
      },
    ],
    userDefinedMetadata: {
      gruvision: { formatVersion: ARTIFACT_FORMAT_VERSION, version: CLASSIFIER_VERSION, ...metadata },
    },
  };
  return { modelJson, weightData: toLittleEndianBytes(floats) };
}

/** A validated `model.json`: nothing has been allocated for weights yet. */
export interface ParsedModelJson {
  readonly modelJson: ModelJson;
  readonly metadata: GruvisionMetadata;
  /** Weight files in manifest order, with the bytes each group must hold in total. */
  readonly groups: readonly { readonly paths: readonly string[]; readonly bytes: number }[];
  /** Manifest entries in manifest order, each matched to its canonical layout entry. */
  readonly entries: readonly { readonly entry: WeightEntry; readonly byteOffset: number }[];
  readonly totalBytes: number;
}

// biome-ignore lint/suspicious/noExplicitAny: untrusted JSON, narrowed field by field below.
type Json = Record<string, any>;

type BadCode = 'INVALID_MODEL' | 'WEIGHTS_MISMATCH' | 'TOO_LARGE' | 'UNSAFE_PATH';

/** Checks an untrusted `model.json` (text or parsed) against its own spec; throws a `GruClassifierError` naming `file`. */
export function parseModelJson(
  input: unknown,
  file = MODEL_FILE,
  limits: ArtifactLimits = {},
): ParsedModelJson {
  const bad: (problem: string, fix: string, code?: BadCode) => never = (
    problem,
    fix,
    code = 'INVALID_MODEL',
  ) => {
    throw new GruClassifierError(code, `${file}: ${problem} ${fix}`, { file });
  };
  let json: unknown = input;
  if (typeof input === 'string') {
    const max = limits.maxModelJsonBytes ?? DEFAULT_MAX_MODEL_JSON_BYTES;
    if (input.length > max) {
      bad(
        `is ${input.length} characters, more than the ${max} allowed.`,
        'This is not a gruvision model.json; raise maxModelJsonBytes only if you trust the file.',
        'TOO_LARGE',
      );
    }
    if (jsonTextDepth(input, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
      bad(
        `nests deeper than ${MAX_JSON_DEPTH} levels.`,
        'This is not a gruvision model.json; save the model again with gruvision.',
      );
    }
    try {
      json = JSON.parse(input);
    } catch (error) {
      // The parser's message quotes the text around the error: never echo a file's contents.
      const at = /position (\d+)/.exec((error as Error).message);
      throw new GruClassifierError(
        'INVALID_MODEL',
        `${file}: is not valid JSON${at ? ` (at byte ${at[1]})` : ''}. Save the model again or restore the file from a backup.`,
        { file, cause: error },
      );
    }
  } else if (jsonDepth(input, MAX_JSON_DEPTH) > MAX_JSON_DEPTH) {
    bad(
      `nests deeper than ${MAX_JSON_DEPTH} levels.`,
      'This is not a gruvision model.json; save the model again with gruvision.',
    );
  }
  if (!isObject(json)) bad('is not a JSON object.', 'Point to the model.json written by gruvision.');
  if (json.format !== 'layers-model') {
    bad(
      `${json.format === undefined ? 'has no format' : `has format ${JSON.stringify(json.format)?.slice(0, 60)}`}, expected "layers-model".`,
      'Only TensorFlow.js layers models saved by gruvision can be loaded here.',
    );
  }
  const udm = json.userDefinedMetadata;
  if (!isObject(udm) || !isObject(udm.gruvision)) {
    bad(
      'has no userDefinedMetadata.gruvision (class names, view, spec).',
      'It was not saved by gruvision; to use a plain Keras or tfjs model, load it with @gruvision/tfjs instead.',
    );
  }
  const metadata = checkMetadata(udm.gruvision, bad, limits);
  if (
    !isObject(json.modelTopology) ||
    !isObject(json.modelTopology.config) ||
    !Array.isArray(json.modelTopology.config.layers)
  ) {
    bad('has no modelTopology.config.layers.', 'Save the model again with gruvision.');
  }
  checkTopology(
    json.modelTopology.config.layers as unknown[],
    metadata.spec,
    bad,
    json.modelTopology.keras_version,
  );

  const { entries: layout } = weightLayout(metadata.spec);
  const byName = new Map(layout.map((e) => [e.name, e]));
  const manifest = json.weightsManifest;
  if (!Array.isArray(manifest) || manifest.length === 0) {
    bad('has no weightsManifest.', 'Save the model again with gruvision.');
  }
  const seen = new Set<string>();
  const groups: { paths: string[]; bytes: number }[] = [];
  const entries: { entry: WeightEntry; byteOffset: number }[] = [];
  let totalBytes = 0;
  for (const [g, group] of manifest.entries()) {
    if (
      !isObject(group) ||
      !Array.isArray(group.paths) ||
      !Array.isArray(group.weights) ||
      group.paths.length === 0
    ) {
      bad(
        `weightsManifest[${g}] must have non-empty "paths" and "weights" arrays.`,
        'Save the model again with gruvision.',
      );
    }
    const paths = group.paths.map((p: unknown) => checkRelativePath(p, file));
    let bytes = 0;
    for (const w of group.weights as unknown[]) {
      if (!isObject(w) || typeof w.name !== 'string' || !Array.isArray(w.shape)) {
        bad(
          `weightsManifest[${g}] has an entry without a name and shape.`,
          'Save the model again with gruvision.',
        );
      }
      const expected = byName.get(w.name);
      if (expected === undefined) {
        bad(
          `lists weight ${JSON.stringify(w.name)}, which the model spec does not have.`,
          'The manifest and the spec disagree; save the model again.',
          'WEIGHTS_MISMATCH',
        );
      }
      if (seen.has(w.name))
        bad(`lists weight ${w.name} twice.`, 'Save the model again with gruvision.', 'WEIGHTS_MISMATCH');
      seen.add(w.name);
      if ((w.dtype ?? 'float32') !== 'float32') {
        bad(
          `weight ${w.name} has dtype ${JSON.stringify(w.dtype)}; only float32 is supported.`,
          'Save the model without quantization.',
          'WEIGHTS_MISMATCH',
        );
      }
      const sameShape =
        w.shape.length === expected.shape.length &&
        w.shape.every((d: unknown, i: number) => d === expected.shape[i]);
      if (!sameShape) {
        bad(
          `weight ${w.name} has shape ${JSON.stringify(w.shape).slice(0, 60)} but the spec needs [${expected.shape.join(', ')}].`,
          'The manifest and the spec disagree; save the model again.',
          'WEIGHTS_MISMATCH',
        );
      }
      entries.push({ entry: expected, byteOffset: totalBytes + bytes });
      bytes += expected.size * 4;
    }
    groups.push({ paths, bytes });
    totalBytes += bytes;
  }
  for (const e of layout) {
    if (!seen.has(e.name))
      bad(
        `does not list weight ${e.name}.`,
        'The manifest and the spec disagree; save the model again.',
        'WEIGHTS_MISMATCH',
      );
  }
  const maxWeights = limits.maxWeightBytes ?? DEFAULT_MAX_WEIGHT_BYTES;
  if (totalBytes > maxWeights) {
    bad(
      `declares ${totalBytes} bytes of weights, more than the ${maxWeights} allowed.`,
      'Raise maxWeightBytes only if you trust the model.',
      'TOO_LARGE',
    );
  }
  return { modelJson: json as unknown as ModelJson, metadata, groups, entries, totalBytes };
}

/** Reads the weights of a parsed model from their concatenated bytes; throws when the byte count is off. */
export function weightsFromBytes(
  parsed: ParsedModelJson,
  data: Uint8Array,
  file = WEIGHTS_FILE,
): NamedWeight[] {
  if (data.byteLength !== parsed.totalBytes) {
    throw new GruClassifierError(
      'WEIGHTS_MISMATCH',
      `${file}: holds ${data.byteLength} bytes but model.json declares ${parsed.totalBytes}. ` +
        'The file is truncated or belongs to another model; save the model again or restore both files together.',
      { file },
    );
  }
  const byName = new Map<string, NamedWeight>();
  for (const { entry, byteOffset } of parsed.entries) {
    const values = fromLittleEndianBytes(data.subarray(byteOffset, byteOffset + entry.size * 4));
    for (let i = 0; i < values.length; i++) {
      if (!Number.isFinite(values[i]!)) {
        throw new GruClassifierError(
          'WEIGHTS_MISMATCH',
          `${file}: weight ${entry.name} holds a non-finite value at index ${i}. The model is corrupt; save or train it again.`,
          { file },
        );
      }
    }
    byName.set(entry.name, { name: entry.name, shape: entry.shape, values });
  }
  return weightLayout(parsed.metadata.spec).entries.map((e) => byName.get(e.name)!);
}

/** Decodes in-memory artifacts (browser-safe). */
export function decodeArtifacts(
  artifacts: { readonly modelJson: unknown; readonly weightData: Uint8Array },
  limits?: ArtifactLimits,
): { metadata: GruvisionMetadata; weights: NamedWeight[] } {
  const parsed = parseModelJson(artifacts.modelJson, MODEL_FILE, limits);
  return { metadata: parsed.metadata, weights: weightsFromBytes(parsed, artifacts.weightData) };
}

/** Throws `UNSAFE_PATH` unless `path` is a plain relative path that stays inside the model directory. */
export function checkRelativePath(path: unknown, file = MODEL_FILE): string {
  const problem = weightsPathProblem(path);
  if (problem === undefined) return path as string;
  throw new GruClassifierError(
    'UNSAFE_PATH',
    `${file}: weight path ${JSON.stringify(path)} ${problem}. Weight files must sit inside the model directory; ` +
      'this model.json may be malicious, do not use it.',
    { file },
  );
}

function isObject(value: unknown): value is Json {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function checkMetadata(
  m: Json,
  bad: (problem: string, fix: string, code?: BadCode) => never,
  limits: ArtifactLimits,
): GruvisionMetadata {
  const fix = 'Save the model again with gruvision.';
  if (typeof m.formatVersion === 'number' && m.formatVersion > ARTIFACT_FORMAT_VERSION) {
    bad(
      `was written in gruvision artifact format ${m.formatVersion}; this version reads up to ${ARTIFACT_FORMAT_VERSION}.`,
      'Upgrade @gruvision/classifier.',
    );
  }
  // Every field, typed and ranged, before anything is computed from it.
  const checked = v.safeParse(MetadataSchema, m);
  if (!checked.success) bad(describeIssue(checked.issues, 'userDefinedMetadata.gruvision'), fix);
  const input = m.input as InputShape;
  let over: ReturnType<typeof exceededLimit>;
  try {
    over = exceededLimit(m.spec as ModelSpec, input, limits);
  } catch (error) {
    // Counting the weights resolves the layers, which refuses an unknown cell: the same message as below.
    bad(`userDefinedMetadata.gruvision.spec is invalid: ${(error as Error).message}`, '');
  }
  if (over !== undefined) {
    bad(
      `userDefinedMetadata.gruvision ${over.field} is ${over.value}, more than the ${over.limit} allowed (limit ${over.name}).`,
      `A model this size could exhaust memory when it runs; raise ${over.name} only if you trust the model and have the memory.`,
      'TOO_LARGE',
    );
  }
  if (m.classNames.length !== m.spec.classes) {
    bad(`names ${m.classNames.length} classes but its spec has ${m.spec.classes}.`, fix);
  }
  try {
    validateSpec(m.spec as ModelSpec);
  } catch (error) {
    bad(`userDefinedMetadata.gruvision.spec is invalid: ${(error as Error).message}`, '');
  }
  const spec = m.spec as ModelSpec;
  let shape: { timeSteps: number; features: number } | undefined;
  try {
    assertSequenceView(m.view as SequenceView, input as InputShape);
    shape = viewShape(m.view as SequenceView, input as InputShape);
  } catch (error) {
    bad(`userDefinedMetadata.gruvision.view is invalid: ${(error as Error).message}`, '');
  }
  if (shape!.timeSteps !== spec.timeSteps || shape!.features !== spec.features) {
    bad(
      `its view of ${input.height}×${input.width}×${input.channels} images gives ${shape!.timeSteps} steps of ${shape!.features} features, ` +
        `but its spec expects ${spec.timeSteps} of ${spec.features}.`,
      fix,
    );
  }
  return m as GruvisionMetadata;
}

function checkTopology(
  layers: unknown[],
  spec: ModelSpec,
  bad: (problem: string, fix: string) => never,
  kerasVersion: unknown,
): void {
  const legacy = typeof kerasVersion === 'string' && kerasVersion.startsWith('tfjs-layers');
  const expected = modelTopology(spec).config.layers;
  const fix = 'The topology and userDefinedMetadata.gruvision.spec disagree; save the model again.';
  if (layers.length !== expected.length) {
    bad(`modelTopology has ${layers.length} layers but the spec describes ${expected.length}.`, fix);
  }
  expected.forEach((want, i) => {
    const got = layers[i];
    if (!isObject(got) || got.class_name !== want.class_name || !isObject(got.config)) {
      bad(`modelTopology layer ${i} is not a ${want.class_name} layer.`, fix);
    }
    const inner = (c: Json) => (isObject(c.layer) && isObject(c.layer.config) ? c.layer.config : c);
    const g = inner(got.config);
    const w = inner(want.config);
    for (const key of [
      'name',
      'units',
      'reset_after',
      'recurrent_activation',
      'return_sequences',
      'go_backwards',
      'rate',
    ]) {
      if (key === 'name' && want.class_name === 'Bidirectional') continue;
      // Written before the two hard sigmoids had names of their own: `hard_sigmoid` from gruvision (tfjs
      // keras_version) is 'hardSigmoid', clip(0.2x + 0.5), which the spec also says.
      if (
        key === 'recurrent_activation' &&
        w[key] === 'hard_sigmoid_tfjs' &&
        g[key] === 'hard_sigmoid' &&
        legacy
      ) {
        continue;
      }
      if (w[key] !== undefined && JSON.stringify(g[key]) !== JSON.stringify(w[key])) {
        const got = g[key] === undefined ? `no ${key}` : `${key} ${JSON.stringify(g[key])?.slice(0, 60)}`;
        bad(`modelTopology layer ${i} has ${got}, the spec gives ${JSON.stringify(w[key])}.`, fix);
      }
    }
  });
}

/** Float32 values as little-endian bytes (copies). */
export function toLittleEndianBytes(values: Float32Array): Uint8Array {
  const bytes = new Uint8Array(values.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return bytes;
}

/** Little-endian bytes as float32 values (copies, so alignment does not matter). */
export function fromLittleEndianBytes(bytes: Uint8Array): Float32Array {
  const values = new Float32Array(bytes.byteLength >>> 2);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  for (let i = 0; i < values.length; i++) values[i] = view.getFloat32(i * 4, true);
  return values;
}
