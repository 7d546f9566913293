import { randomBytes } from 'node:crypto';
import { mkdir, open, readFile, rename, rm } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { checkRelativePath, fromModelFiles, MODEL_JSON_FILE, toModelFiles, WEIGHTS_FILE } from './artifacts';
import { GruTfjsError } from './errors';

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

function insideDir(dir: string, path: string): string {
  checkRelativePath(path, join(dir, MODEL_JSON_FILE));
  const target = resolve(dir, path);
  const rel = relative(dir, target);
  if (rel.startsWith('..') || isAbsolute(rel)) {
    throw new GruTfjsError(
      'INVALID_MODEL_FILE',
      `${join(dir, MODEL_JSON_FILE)} names the weights file "${path}" outside ${dir}. Weights paths must stay inside the model directory.`,
    );
  }
  return target;
}

/**
 * A `tf.io.IOHandler` for a model directory on the file system, without tfjs-node:
 * `save` writes `weights.bin` and `model.json` (layers-model format) to temp files, flushes them,
 * then renames them into place (weights first, `model.json` last), so a crash never leaves a
 * half-written file and a reader never sees a `model.json` without its weights; `load` reads them back,
 * refusing weights paths outside the directory and weight files whose size does not match the
 * manifest. Use with `model.save(fileSystemHandler(dir))` and `tf.loadLayersModel(fileSystemHandler(dir))`.
 */
export function fileSystemHandler(dir: string): tf.io.IOHandler {
  const root = resolve(dir);
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
      let text: string;
      try {
        text = await readFile(jsonPath, 'utf8');
      } catch (error) {
        throw new GruTfjsError(
          'MODEL_LOAD_FAILED',
          (error as NodeJS.ErrnoException).code === 'ENOENT'
            ? `There is no ${MODEL_JSON_FILE} in ${root}. Check the path, or save a model there first.`
            : `Could not read ${jsonPath}: ${(error as Error).message}.`,
          { cause: error },
        );
      }
      let json: unknown;
      try {
        json = JSON.parse(text);
      } catch (error) {
        throw new GruTfjsError(
          'INVALID_MODEL_FILE',
          `${jsonPath} is not valid JSON (${(error as Error).message}). The file is damaged; save or copy the model again.`,
          { cause: error },
        );
      }
      return fromModelFiles(
        json,
        async (path) => {
          const target = insideDir(root, path);
          try {
            return await readFile(target);
          } catch (error) {
            throw new GruTfjsError(
              'MODEL_LOAD_FAILED',
              `${jsonPath} names the weights file "${path}", which cannot be read (${(error as Error).message}). Keep model.json and its weights together.`,
              { cause: error },
            );
          }
        },
        jsonPath,
      );
    },
  };
}
