import { lstat, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import {
  type AtomicWriteResult,
  atomicWriteDirectory,
  type ConfinedFileResult,
  describeErrno,
  readConfinedFile,
  recoverDirectory,
} from '@gruvision/math/node';
import * as tf from '@tensorflow/tfjs';
import { checkRelativePath, fromModelFiles, MODEL_JSON_FILE, toModelFiles, WEIGHTS_FILE } from './artifacts';
import { GruTfjsError } from './errors';

/** Bounds applied when loading an untrusted model directory. */
export interface FileSystemHandlerLimits {
  /** Largest accepted `model.json`, in bytes. Default 16 MiB. */
  readonly maxModelJsonBytes?: number;
  /** Largest accepted weight file, in bytes. Default 1 GiB. */
  readonly maxWeightBytes?: number;
}

/**
 * Whether `dir` may be replaced by a save: it is empty, or its `model.json` is a regular file (a model
 * folder). A folder of other things is never swapped out from under its owner.
 */
async function isModelFolder(dir: string): Promise<boolean> {
  if ((await readdir(dir)).length === 0) return true;
  try {
    return (await lstat(join(dir, MODEL_JSON_FILE))).isFile();
  } catch {
    return false;
  }
}

/** Turns a failed save into the handler's typed error. */
function saveFailed(root: string, result: Exclude<AtomicWriteResult, { ok: true }>): GruTfjsError {
  const why =
    result.problem === 'failed'
      ? `${result.path}: ${describeErrno(result.error)}`
      : `it holds other files and no ${MODEL_JSON_FILE} file, so it is not a model folder (nothing was changed); save into a new or empty directory`;
  return new GruTfjsError(
    'MODEL_SAVE_FAILED',
    `Could not write the model to ${root}: ${why}. Check that the directory is writable.`,
    result.problem === 'failed' ? { cause: result.error } : undefined,
  );
}

/** Turns a refused read into the handler's typed error; never quotes the file's contents. */
function refused(result: Exclude<ConfinedFileResult, { ok: true }>, jsonPath: string, what: string): never {
  const why: Record<typeof result.problem, string> = {
    'unsafe-name': `is not a plain relative path inside the model directory`,
    outside: `resolves outside the model directory (${result.detail}); weight files and model.json must sit inside it — this model may be malicious, do not use it`,
    missing: 'does not exist',
    'not-regular': `is ${result.detail}, not a regular file`,
    'too-large': `is ${result.detail} bytes, more than allowed (raise the limit only if you trust the model)`,
    'size-mismatch': `changed size while it was read (${result.detail} bytes)`,
    unreadable: `cannot be read (${result.detail})`,
  };
  const missingJson = result.problem === 'missing' && what === MODEL_JSON_FILE;
  throw new GruTfjsError(
    missingJson || result.problem === 'missing' || result.problem === 'unreadable'
      ? 'MODEL_LOAD_FAILED'
      : 'INVALID_MODEL_FILE',
    missingJson
      ? `There is no ${MODEL_JSON_FILE} in ${dirOf(jsonPath)}. Check the path, or save a model there first.`
      : `${result.path} ${why[result.problem]}. ${what === MODEL_JSON_FILE ? 'Point to a model directory saved by model.save().' : `${jsonPath} names it; keep model.json and its weights together in one directory.`}`,
  );
}

function dirOf(jsonPath: string): string {
  return jsonPath.slice(0, -MODEL_JSON_FILE.length - 1);
}

/** The position of a JSON syntax error, without the text around it (which may be any file's contents). */
function jsonErrorPosition(error: unknown): string {
  const match = /position (\d+)/.exec((error as Error).message);
  return match ? ` at byte ${match[1]}` : '';
}

/**
 * A `tf.io.IOHandler` for a model directory on the file system, without tfjs-node:
 * `save` writes `weights.bin` and `model.json` (layers-model format) in one atomic folder write
 * (`atomicWriteDirectory` of `@gruvision/math/node`), so a crash never leaves a half-written file or
 * new weights beside an old `model.json`; `load` reads them back,
 * refusing weights paths outside the directory and weight files whose size does not match the
 * manifest. Use with `model.save(fileSystemHandler(dir))` and `tf.loadLayersModel(fileSystemHandler(dir))`.
 */
export function fileSystemHandler(dir: string, limits: FileSystemHandlerLimits = {}): tf.io.IOHandler {
  const root = resolve(dir);
  const maxJson = limits.maxModelJsonBytes ?? 16 * 1024 * 1024;
  const maxWeights = limits.maxWeightBytes ?? 1024 * 1024 * 1024;
  return {
    async save(artifacts: tf.io.ModelArtifacts): Promise<tf.io.SaveResult> {
      const { modelJson, weightData } = toModelFiles(artifacts, WEIGHTS_FILE);
      // One atomic folder write (shared with @gruvision/classifier): model.json and weights.bin are
      // both complete in a new folder before it replaces the old one, so a crash leaves the old pair
      // or the new pair, never new weights beside an old model.json. Other files of the folder stay.
      const result = await atomicWriteDirectory(
        root,
        [
          { name: WEIGHTS_FILE, bytes: new Uint8Array(weightData) },
          { name: MODEL_JSON_FILE, bytes: new TextEncoder().encode(JSON.stringify(modelJson)) },
        ],
        { isReplaceable: isModelFolder, keepOtherEntries: true },
      );
      if (!result.ok) throw saveFailed(root, result);
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(root, MODEL_JSON_FILE);
      // A save that crashed between its two renames left the previous folder beside this one.
      await recoverDirectory(root);
      // One set of checks for model.json and every weight file (shared with @gruvision/classifier):
      // inside the directory after links, a regular file (no FIFO, no device), size bounded.
      const read = await readConfinedFile(root, MODEL_JSON_FILE, { maxBytes: maxJson });
      if (!read.ok) refused(read, jsonPath, MODEL_JSON_FILE);
      let json: unknown;
      try {
        json = JSON.parse(new TextDecoder().decode(read.bytes));
      } catch (error) {
        throw new GruTfjsError(
          'INVALID_MODEL_FILE',
          `${jsonPath} is not valid JSON${jsonErrorPosition(error)}. The file is damaged; save or copy the model again.`,
          { cause: error },
        );
      }
      return fromModelFiles(
        json,
        async (path) => {
          checkRelativePath(path, jsonPath);
          const weights = await readConfinedFile(root, path, { maxBytes: maxWeights });
          if (!weights.ok) refused(weights, jsonPath, path);
          return weights.bytes;
        },
        jsonPath,
      );
    },
  };
}
