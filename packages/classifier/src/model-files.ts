import { open, readdir, readFile, realpath, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import type { NamedWeight } from '@gruvision/math';
import type { ArtifactLimits, GruvisionMetadata, ModelArtifacts, ParsedModelJson } from './artifact';
import { DEFAULT_MAX_MODEL_JSON_BYTES, MODEL_FILE, parseModelJson, weightsFromBytes } from './artifact';
import { GruClassifierError } from './errors';
import type { FileEntry } from './fs-atomic';
import { recoverDirectory, writeDirectoryAtomic } from './fs-atomic';

const encoder = new TextEncoder();

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

async function checkedSize(path: string, file: string): Promise<number> {
  try {
    const s = await stat(path);
    if (!s.isFile()) {
      throw new GruClassifierError(
        'INVALID_MODEL',
        `${file}: is not a regular file. Point to a model saved by gruvision.`,
        {
          file,
        },
      );
    }
    return s.size;
  } catch (error) {
    if (GruClassifierError.isInstance(error)) throw error;
    throw new GruClassifierError(
      'MODEL_NOT_FOUND',
      `${file}: not found. The model directory is incomplete; save the model again or restore the whole directory.`,
      { file, cause: error },
    );
  }
}

/** Resolves a manifest path inside `realDir`, refusing anything (including symlinks) that leads outside. */
async function insidePath(realDir: string, name: string, file: string): Promise<string> {
  const path = join(realDir, name);
  let real: string;
  try {
    real = await realpath(path);
  } catch (error) {
    throw new GruClassifierError(
      'MODEL_NOT_FOUND',
      `${file}: not found. The model directory is incomplete; save the model again or restore the whole directory.`,
      { file, cause: error },
    );
  }
  const rel = relative(realDir, real);
  if (rel === '' || rel.startsWith(`..${sep}`) || rel === '..' || rel.startsWith(sep)) {
    throw new GruClassifierError(
      'UNSAFE_PATH',
      `${file}: resolves outside the model directory (${real}). Weight files must sit inside the model directory; ` +
        'this model may be malicious, do not use it.',
      { file },
    );
  }
  return real;
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
  const size = await checkedSize(file, file);
  const max = limits.maxModelJsonBytes ?? DEFAULT_MAX_MODEL_JSON_BYTES;
  if (size > max) {
    throw new GruClassifierError(
      'TOO_LARGE',
      `${file}: is ${size} bytes, more than the ${max} allowed. This is not a gruvision model.json; raise maxModelJsonBytes only if you trust the file.`,
      { file },
    );
  }
  return parseModelJson(await readFile(file, 'utf8'), file, limits);
}

/** Reads and checks a whole model directory: sizes are checked against the manifest before any weight is read. */
export async function readModelDirectory(
  dir: string,
  limits: ArtifactLimits = {},
): Promise<{ metadata: GruvisionMetadata; weights: NamedWeight[]; modelJson: ParsedModelJson['modelJson'] }> {
  const parsed = await readModelJson(dir, limits);
  const realDir = await realpath(dir);
  const files: { path: string; file: string; size: number }[] = [];
  for (const group of parsed.groups) {
    let groupBytes = 0;
    const groupFiles: typeof files = [];
    for (const name of group.paths) {
      const file = join(dir, name);
      const path = await insidePath(realDir, name, file);
      const size = await checkedSize(path, file);
      groupBytes += size;
      groupFiles.push({ path, file, size });
    }
    if (groupBytes !== group.bytes) {
      const file = groupFiles.length === 1 ? groupFiles[0]!.file : join(dir, group.paths.join(', '));
      throw new GruClassifierError(
        'WEIGHTS_MISMATCH',
        `${file}: holds ${groupBytes} bytes but model.json declares ${group.bytes}. ` +
          'The file is truncated or belongs to another model; save the model again or restore both files together.',
        { file },
      );
    }
    files.push(...groupFiles);
  }
  const data = new Uint8Array(parsed.totalBytes);
  let offset = 0;
  for (const f of files) {
    const handle = await open(f.path, 'r');
    try {
      const { bytesRead } = await handle.read(data, offset, f.size, 0);
      if (bytesRead !== f.size) {
        throw new GruClassifierError(
          'WEIGHTS_MISMATCH',
          `${f.file}: changed while it was read. Load the model again.`,
          {
            file: f.file,
          },
        );
      }
    } finally {
      await handle.close();
    }
    offset += f.size;
  }
  const weightsFile = files.length === 1 ? files[0]!.file : dir;
  return {
    metadata: parsed.metadata,
    weights: weightsFromBytes(parsed, data, weightsFile),
    modelJson: parsed.modelJson,
  };
}
