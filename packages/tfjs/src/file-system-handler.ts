import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { type ConfinedFileResult, readConfinedFile } from '@gruvision/math/node';
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

/** Writes `data` to a fresh temp file next to `path` and flushes it to disk; returns the temp path. */
async function writeTemp(path: string, data: string | Uint8Array): Promise<string> {
  const temp = `${path}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const file = await open(temp, 'wx');
  try {
    await file.writeFile(data);
    await file.sync();
  } finally {
    await file.close();
  }
  return temp;
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
 * `save` writes `weights.bin` and `model.json` (layers-model format) to temp files, flushes them,
 * then renames them into place (weights first, `model.json` last), so a crash never leaves a
 * half-written file and a reader never sees a `model.json` without its weights; `load` reads them back,
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
      const temps: string[] = [];
      try {
        await mkdir(root, { recursive: true });
        // Both files are complete on disk before either replaces the old one; model.json goes last.
        const weightsPath = join(root, WEIGHTS_FILE);
        const jsonPath = join(root, MODEL_JSON_FILE);
        temps.push(await writeTemp(weightsPath, new Uint8Array(weightData)));
        temps.push(await writeTemp(jsonPath, JSON.stringify(modelJson)));
        await rename(temps[0]!, weightsPath);
        await rename(temps[1]!, jsonPath);
      } catch (error) {
        await Promise.all(temps.map((t) => rm(t, { force: true })));
        throw new GruTfjsError(
          'MODEL_SAVE_FAILED',
          `Could not write the model to ${root}: ${(error as Error).message}. Check that the directory is writable.`,
          { cause: error },
        );
      }
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    },

    async load(): Promise<tf.io.ModelArtifacts> {
      const jsonPath = join(root, MODEL_JSON_FILE);
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
