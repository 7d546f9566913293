import { readdir, readFile, realpath, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { ArtifactLimits } from './artifact';
import type { Checkpoint } from './checkpoint';
import { CHECKPOINT_FILE, checkpointFiles, checkpointFromFiles } from './checkpoint';
import { GruClassifier } from './classifier';
import type { EngineOption } from './engines';
import { GruClassifierError } from './errors';
import { recoverDirectory, writeDirectoryAtomic, writeFileAtomic } from './fs-atomic';
import { isModelDirectory, readModelDirectory, writeModelDirectory } from './model-files';

/** Saves a classifier as a TensorFlow.js layers-model directory (`model.json` + `weights.bin`), atomically. */
export async function saveClassifier(model: GruClassifier, dir: string): Promise<void> {
  await writeModelDirectory(dir, model.toArtifacts());
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
  return GruClassifier.fromWeights(metadata, weights, options.engine);
}

const LATEST_FILE = 'latest.json';
const epochDirName = (epoch: number) => `epoch-${String(epoch).padStart(4, '0')}`;
const EPOCH_DIR = /^epoch-\d{4,}$/;

/** Checkpoints in a directory: one atomic `epoch-NNNN/` per save, `latest.json` naming the newest. */
export interface CheckpointDirectory {
  readonly dir: string;
  /** Pass as `fit({ checkpoint: { save } })`. */
  save(checkpoint: Checkpoint): Promise<void>;
  /** The newest complete checkpoint, or `undefined` when there is none yet. */
  latest(limits?: ArtifactLimits): Promise<Checkpoint | undefined>;
}

/** A checkpoint directory keeping the newest `keep` (default 2) epochs. */
export function checkpointDirectory(
  dir: string,
  options: { readonly keep?: number } = {},
): CheckpointDirectory {
  const keep = options.keep ?? 2;
  if (!Number.isInteger(keep) || keep < 1) {
    throw new GruClassifierError(
      'INVALID_ARGUMENT',
      `checkpointDirectory: keep must be a positive whole number, got ${keep}.`,
    );
  }
  return {
    dir,
    async save(checkpoint) {
      const name = epochDirName(checkpoint.epoch);
      await writeDirectoryAtomic(join(dir, name), checkpointFiles(checkpoint), async (d) =>
        isModelDirectory(d),
      );
      await writeFileAtomic(
        join(dir, LATEST_FILE),
        new TextEncoder().encode(JSON.stringify({ epoch: checkpoint.epoch, dir: name })),
      );
      const epochs = (await readdir(dir)).filter((n) => EPOCH_DIR.test(n)).sort();
      for (const old of epochs.slice(0, Math.max(0, epochs.length - keep))) {
        if (old !== name) await rm(join(dir, old), { recursive: true, force: true });
      }
    },
    async latest(limits) {
      try {
        await stat(join(dir, LATEST_FILE));
      } catch {
        return undefined;
      }
      return loadCheckpoint(dir, limits);
    },
  };
}

/**
 * Reads a checkpoint: `path` is either one `epoch-NNNN/` directory or a checkpoint directory whose
 * `latest.json` names the newest one.
 */
export async function loadCheckpoint(path: string, limits?: ArtifactLimits): Promise<Checkpoint> {
  let dir = path;
  const has = async (p: string) =>
    stat(p).then(
      () => true,
      () => false,
    );
  await recoverDirectory(dir);
  if (!(await has(join(dir, CHECKPOINT_FILE)))) {
    const latestPath = join(path, LATEST_FILE);
    if (!(await has(latestPath))) {
      throw new GruClassifierError(
        'MODEL_NOT_FOUND',
        `${path}: no checkpoint there (neither ${CHECKPOINT_FILE} nor ${LATEST_FILE}). Pass the directory given to checkpointDirectory() or one of its epoch-NNNN folders.`,
        { file: path },
      );
    }
    let name: unknown;
    try {
      name = JSON.parse(await readFile(latestPath, 'utf8')).dir;
    } catch (error) {
      throw new GruClassifierError(
        'CHECKPOINT_INVALID',
        `${latestPath}: is not valid JSON. Resume from one epoch-NNNN folder directly.`,
        {
          file: latestPath,
          cause: error,
        },
      );
    }
    if (typeof name !== 'string' || !EPOCH_DIR.test(name)) {
      throw new GruClassifierError(
        'UNSAFE_PATH',
        `${latestPath}: names ${JSON.stringify(name)}, not an epoch-NNNN folder. Resume from one epoch-NNNN folder directly.`,
        { file: latestPath },
      );
    }
    dir = join(path, name);
    await recoverDirectory(dir);
  }
  const real = await realpath(dir);
  return checkpointFromFiles(
    async (name) => {
      try {
        const s = await stat(join(real, name));
        const max = name.endsWith('.json')
          ? 64 * 1024 * 1024
          : (limits?.maxWeightBytes ?? 1024 * 1024 * 1024) * 3;
        if (!s.isFile() || s.size > max) return undefined;
        return new Uint8Array(await readFile(join(real, name)));
      } catch {
        return undefined;
      }
    },
    dir,
    limits,
  );
}
