import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { NamedWeight } from '@gruvision/math';
import { type ConfinedFileResult, readConfinedFile } from '@gruvision/math/node';
import type { ArtifactLimits, GruvisionMetadata, ModelArtifacts, ParsedModelJson } from './artifact';
import { DEFAULT_MAX_MODEL_JSON_BYTES, MODEL_FILE, parseModelJson, weightsFromBytes } from './artifact';
import { GruClassifierError } from './errors';
import type { FileEntry } from './fs-atomic';
import { recoverDirectory, writeDirectoryAtomic } from './fs-atomic';

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** The files of a model directory: `model.json` and each weight file of the manifest. */
export function artifactFiles(artifacts: ModelArtifacts): FileEntry[] {
  const paths = artifacts.modelJson.weightsManifest.flatMap((g) => g.paths);
  if (paths.length !== 1) {
    throw new GruClassifierError(
      'INVALID_ARGUMENT',
      `Cannot save: expected one weight file in the manifest, found ${paths.length}. Build the artifacts with toArtifacts().`,
    );
  }
  return [
    { name: MODEL_FILE, bytes: encoder.encode(JSON.stringify(artifacts.modelJson)) },
    { name: paths[0]!, bytes: artifacts.weightData },
  ];
}

/** Only directories holding a `model.json` (or nothing) may be replaced by a save. */
export async function isModelDirectory(dir: string): Promise<boolean> {
  try {
    await stat(join(dir, MODEL_FILE));
    return true;
  } catch {
    return (await readdir(dir)).length === 0;
  }
}

/** Writes model files (plus `extra` files) atomically into `dir`. */
export async function writeModelDirectory(
  dir: string,
  artifacts: ModelArtifacts,
  extra: readonly FileEntry[] = [],
): Promise<void> {
  await writeDirectoryAtomic(dir, [...artifactFiles(artifacts), ...extra], isModelDirectory);
}

/** Turns a refused read into a typed error naming the file; never quotes the file's contents. */
function refused(
  result: Exclude<ConfinedFileResult, { ok: true }>,
  file: string,
  limitName: string,
  max?: number,
): never {
  const incomplete =
    'The model directory is incomplete; save the model again or restore the whole directory.';
  switch (result.problem) {
    case 'missing':
      throw new GruClassifierError('MODEL_NOT_FOUND', `${file}: not found. ${incomplete}`, { file });
    case 'unsafe-name':
      throw new GruClassifierError(
        'UNSAFE_PATH',
        `${file}: is not a plain relative path inside the model directory. This model may be malicious, do not use it.`,
        { file },
      );
    case 'outside':
      throw new GruClassifierError(
        'UNSAFE_PATH',
        `${file}: resolves outside the model directory (${result.detail}). Model files must sit inside the model directory; ` +
          'this model may be malicious, do not use it.',
        { file },
      );
    case 'not-regular':
      throw new GruClassifierError(
        'INVALID_MODEL',
        `${file}: is ${result.detail}, not a regular file. Point to a model saved by gruvision.`,
        { file },
      );
    case 'too-large':
      throw new GruClassifierError(
        'TOO_LARGE',
        `${file}: is ${result.detail} bytes, more than the ${max ?? 'limit'} allowed. This is not a gruvision model file; raise ${limitName} only if you trust the file.`,
        { file },
      );
    case 'size-mismatch':
      throw new GruClassifierError(
        'WEIGHTS_MISMATCH',
        `${file}: holds ${result.detail} bytes, not what model.json declares. ` +
          'The file is truncated or belongs to another model; save the model again or restore both files together.',
        { file },
      );
    case 'unreadable':
      throw new GruClassifierError(
        'MODEL_NOT_FOUND',
        `${file}: cannot be read (${result.detail}). Check its permissions.`,
        { file },
      );
  }
}

/**
 * Reads `name` inside the model directory `dir` with the checks every gruvision loader shares (see
 * `readConfinedFile` in `@gruvision/math/node`): inside after links, a regular file, size bounded.
 */
export async function readModelFile(
  dir: string,
  name: string,
  maxBytes: number,
  limitName: string,
  expectedBytes?: number,
): Promise<Uint8Array> {
  const result = await readConfinedFile(dir, name, {
    maxBytes,
    ...(expectedBytes !== undefined ? { expectedBytes } : {}),
  });
  if (!result.ok) refused(result, join(dir, name), limitName, maxBytes);
  return result.bytes;
}

/** Reads `model.json` of `dir` with its size bounded; the directory is recovered first after a crashed save. */
export async function readModelJson(dir: string, limits: ArtifactLimits = {}): Promise<ParsedModelJson> {
  await recoverDirectory(dir);
  try {
    const s = await stat(dir);
    if (!s.isDirectory()) throw new Error('not a directory');
  } catch (error) {
    throw new GruClassifierError(
      'MODEL_NOT_FOUND',
      `${dir}: no model directory there. Check the path, or train and save a model first.`,
      { file: dir, cause: error },
    );
  }
  const file = join(dir, MODEL_FILE);
  const max = limits.maxModelJsonBytes ?? DEFAULT_MAX_MODEL_JSON_BYTES;
  const bytes = await readModelFile(dir, MODEL_FILE, max, 'maxModelJsonBytes');
  return parseModelJson(decoder.decode(bytes), file, limits);
}

/** Reads and checks a whole model directory: sizes are checked against the manifest before any weight is read. */
export async function readModelDirectory(
  dir: string,
  limits: ArtifactLimits = {},
): Promise<{ metadata: GruvisionMetadata; weights: NamedWeight[]; modelJson: ParsedModelJson['modelJson'] }> {
  const parsed = await readModelJson(dir, limits);
  const data = new Uint8Array(parsed.totalBytes);
  let offset = 0;
  const files: string[] = [];
  for (const group of parsed.groups) {
    if (group.paths.length === 1) {
      // The common case: the size is checked against the manifest before the file is read.
      const name = group.paths[0]!;
      const file = join(dir, name);
      const result = await readConfinedFile(dir, name, {
        maxBytes: parsed.totalBytes,
        expectedBytes: group.bytes,
      });
      if (!result.ok && (result.problem === 'size-mismatch' || result.problem === 'too-large')) {
        throw new GruClassifierError(
          'WEIGHTS_MISMATCH',
          `${file}: holds ${result.detail} bytes but model.json declares ${group.bytes}. ` +
            'The file is truncated or belongs to another model; save the model again or restore both files together.',
          { file },
        );
      }
      if (!result.ok) refused(result, file, 'maxWeightBytes');
      data.set(result.bytes, offset);
      offset += result.bytes.length;
      files.push(file);
      continue;
    }
    let groupBytes = 0;
    for (const name of group.paths) {
      const file = join(dir, name);
      const bytes = await readModelFile(dir, name, group.bytes - groupBytes, 'the group size in model.json');
      data.set(bytes, offset);
      offset += bytes.length;
      groupBytes += bytes.length;
      files.push(file);
    }
    if (groupBytes !== group.bytes) {
      const file = join(dir, group.paths.join(', '));
      throw new GruClassifierError(
        'WEIGHTS_MISMATCH',
        `${file}: holds ${groupBytes} bytes but model.json declares ${group.bytes}. ` +
          'The file is truncated or belongs to another model; save the model again or restore both files together.',
        { file },
      );
    }
  }
  const weightsFile = files.length === 1 ? files[0]! : dir;
  return {
    metadata: parsed.metadata,
    weights: weightsFromBytes(parsed, data, weightsFile),
    modelJson: parsed.modelJson,
  };
}
