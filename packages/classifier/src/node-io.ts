import { readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { isPlainRelativePath, readConfinedFile, removeStaleTemporaries } from '@gruvision/math/node';
import * as v from 'valibot';
import type { ArtifactLimits } from './artifact';
import { DEFAULT_MAX_WEIGHT_BYTES, MODEL_FILE, WEIGHTS_FILE } from './artifact';
import type { Checkpoint } from './checkpoint';
import { CHECKPOINT_FILE, checkpointFiles, checkpointFromFiles } from './checkpoint';
import { GruClassifier } from './classifier';
import type { EngineOption } from './engines';
import { GruClassifierError } from './errors';
import type { FileEntry } from './fs-atomic';
import { recoverDirectory, writeDirectoryAtomic, writeFileAtomic } from './fs-atomic';
import { isModelDirectory, readModelDirectory, writeModelDirectory } from './model-files';
import { LatestJsonSchema } from './model-schema';

/** Options of `saveClassifier`. */
export interface SaveOptions {
  /**
   * More files to keep in the model directory (a report, the training settings): written in the same
   * atomic folder write as the model, so a crash leaves the old folder or the new one, never a mix.
   */
  readonly files?: readonly FileEntry[];
}

/** Saves a classifier as a TensorFlow.js layers-model directory (`model.json` + `weights.bin`), atomically. */
export async function saveClassifier(
  model: GruClassifier,
  dir: string,
  options: SaveOptions = {},
): Promise<void> {
  const reserved = new Set([MODEL_FILE, WEIGHTS_FILE]);
  for (const file of options.files ?? []) {
    if (reserved.has(file.name) || !isPlainRelativePath(file.name) || /[\\/]/.test(file.name)) {
      throw new GruClassifierError(
        'INVALID_ARGUMENT',
        `saveClassifier: extra file name ${JSON.stringify(file.name)} must be a plain file name other than ${MODEL_FILE} and ${WEIGHTS_FILE}.`,
      );
    }
  }
  await writeModelDirectory(dir, model.toArtifacts(), options.files ?? []);
}

/** Options of `loadClassifier`. */
export interface LoadOptions {
  /** Default `'math'`. */
  readonly engine?: EngineOption;
  readonly limits?: ArtifactLimits;
}

/**
 * Loads a model directory written by `saveClassifier` (or by a checkpoint). The directory is treated as
 * untrusted: paths, shapes and sizes are checked before anything is allocated.
 */
export async function loadClassifier(dir: string, options: LoadOptions = {}): Promise<GruClassifier> {
  const { metadata, weights } = await readModelDirectory(dir, options.limits);
  return GruClassifier.fromWeights(metadata, weights, options.engine, dir);
}

const LATEST_FILE = 'latest.json';
const epochDirName = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;
const EPOCH_DIR = /^epoch-\d{4,}$/;
const MAX_CHECKPOINT_JSON_BYTES = 64 * 1024 * 1024;

/** Options of `loadCheckpoint` and `CheckpointDirectory.latest`. */
export interface LoadCheckpointOptions extends ArtifactLimits {
  /** Refuse a checkpoint of another training run (see `checkpointDirectory({ runId })`). */
  readonly runId?: string;
}

/** Checkpoints in a directory: one atomic `epoch-NNNN/` per save, `latest.json` naming the newest. */
export interface CheckpointDirectory {
  readonly dir: string;
  /** Pass as `fit({ checkpoint: { save } })`. */
  save(checkpoint: Checkpoint): Promise<void>;
  /** The newest complete checkpoint, or `undefined` when there is none yet. */
  latest(options?: LoadCheckpointOptions): Promise<Checkpoint | undefined>;
}

/**
 * A checkpoint directory keeping the newest `keep` (default 2) epochs. With `runId`, every checkpoint
 * records it and `latest()` refuses checkpoints of another run.
 */
export function checkpointDirectory(
  dir: string,
  options: { readonly keep?: number; readonly runId?: string } = {},
): CheckpointDirectory {
  const keep = options.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) {
    throw new GruClassifierError(
      'INVALID_ARGUMENT',
      `checkpointDirectory: keep must be a positive whole number, got ${keep}.`,
    );
  }
  const runId = options.runId;
  if (runId !== undefined && !/^[A-Za-z0-9._-]{1,100}$/.test(runId)) {
    throw new GruClassifierError(
      'INVALID_ARGUMENT',
      `checkpointDirectory: runId must be 1 to 100 letters, digits, ".", "_" or "-", got ${JSON.stringify(runId)}.`,
    );
  }
  return {
    dir,
    async save(checkpoint) {
      const name = epochDirName(checkpoint.epoch);
      const stamped = runId !== undefined ? { ...checkpoint, runId } : checkpoint;
      await writeDirectoryAtomic(join(dir, name), checkpointFiles(stamped), async (d) => isModelDirectory(d));
      await writeFileAtomic(
        join(dir, LATEST_FILE),
        new TextEncoder().encode(
          JSON.stringify({ epoch: checkpoint.epoch, dir: name, ...(runId !== undefined ? { runId } : {}) }),
        ),
      );
      const epochs = (await readdir(dir)).filter((n) => EPOCH_DIR.test(n)).sort();
      for (const old of epochs.slice(0, Math.max(0, epochs.length - keep))) {
        if (old !== name) await rm(join(dir, old), { recursive: true, force: true });
      }
    },
    async latest(loadOptions = {}) {
      // A run killed while writing latest.json left its temporary file: the run taking over removes it
      // (a resume that has no epoch left to train never writes latest.json again).
      await removeStaleTemporaries(join(dir, LATEST_FILE));
      const found = await newestEpochDir(dir);
      const hasLatest = await stat(join(dir, LATEST_FILE)).then(
        () => true,
        () => false,
      );
      if (found === undefined && !hasLatest) return undefined;
      return loadCheckpoint(dir, { ...(runId !== undefined ? { runId } : {}), ...loadOptions });
    },
  };
}

/** The newest `epoch-NNNN` folder holding a `checkpoint.json` (folders are written atomically, so it is complete). */
async function newestEpochDir(dir: string): Promise<string | undefined> {
  let names: string[];
  try {
    names = await readdir(dir);
  } catch {
    return undefined;
  }
  const epochs = names
    .filter((n) => EPOCH_DIR.test(n))
    .sort((a, b) => Number(b.slice(6)) - Number(a.slice(6)));
  for (const name of epochs) {
    await recoverDirectory(join(dir, name));
    const has = await stat(join(dir, name, CHECKPOINT_FILE)).then(
      (s) => s.isFile(),
      () => false,
    );
    if (has) return name;
  }
  // A crash between the two renames of an epoch folder leaves only its `.old-` sibling: recovered above.
  return undefined;
}

/**
 * Reads a checkpoint: `path` is either one `epoch-NNNN/` directory or a checkpoint directory, whose
 * newest complete `epoch-NNNN/` folder is used (`latest.json` is a hint for people: a crash while it
 * was written must not hide a complete checkpoint). With `runId`, a checkpoint of another run is refused.
 */
export async function loadCheckpoint(path: string, options: LoadCheckpointOptions = {}): Promise<Checkpoint> {
  let dir = path;
  const has = async (p: string) =>
    stat(p).then(
      () => true,
      () => false,
    );
  await recoverDirectory(dir);
  if (!(await has(join(dir, CHECKPOINT_FILE)))) {
    const latestPath = join(path, LATEST_FILE);
    const newest = await newestEpochDir(path);
    if (newest === undefined) {
      if (await has(latestPath)) {
        let named = 'a folder';
        try {
          const parsed = v.safeParse(LatestJsonSchema, JSON.parse(await readFile(latestPath, 'utf8')));
          if (parsed.success) named = parsed.output.dir;
        } catch {
          // unreadable: the message below says what to do either way
        }
        throw new GruClassifierError(
          'CHECKPOINT_INVALID',
          `${latestPath}: names ${named}, but there is no complete epoch-NNNN checkpoint folder in ${path}. ` +
            'The checkpoints were removed or damaged; start training again.',
          { file: latestPath },
        );
      }
      throw new GruClassifierError(
        'MODEL_NOT_FOUND',
        `${path}: no checkpoint there (no checkpoint.json and no epoch-NNNN folder). Pass the directory given to checkpointDirectory() or one of its epoch-NNNN folders.`,
        { file: path },
      );
    }
    dir = join(path, newest);
  }
  const where = dir;
  const maxWeights = (options.maxWeightBytes ?? DEFAULT_MAX_WEIGHT_BYTES) * 3;
  const checkpoint = await checkpointFromFiles(
    async (name) => {
      const result = await readConfinedFile(where, name, {
        maxBytes: name.endsWith('.json') ? MAX_CHECKPOINT_JSON_BYTES : maxWeights,
      });
      if (result.ok) return result.bytes;
      if (result.problem === 'missing') return undefined;
      throw new GruClassifierError(
        'CHECKPOINT_INVALID',
        `${result.path}: ${result.problem === 'outside' ? 'resolves outside the checkpoint folder' : result.problem === 'not-regular' ? `is ${result.detail}, not a regular file` : result.problem === 'too-large' ? `is ${result.detail} bytes, too large` : `cannot be read (${result.detail})`}. Resume from an earlier checkpoint or start training again.`,
        { file: result.path },
      );
    },
    dir,
    options,
  );
  if (options.runId !== undefined && checkpoint.runId !== options.runId) {
    throw new GruClassifierError(
      'CHECKPOINT_INVALID',
      `${dir}: belongs to ${checkpoint.runId === undefined ? 'a run without an id' : `run ${checkpoint.runId}`}, not to run ${options.runId} being resumed. ` +
        'The folder mixes two training runs; resume with the settings of that run, or start a new run.',
      { file: dir },
    );
  }
  return checkpoint;
}
