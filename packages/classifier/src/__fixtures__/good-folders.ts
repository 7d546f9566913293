import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { GruClassifier } from '../classifier';
import { checkpointDirectory, saveClassifier } from '../node-io';
import { barsSet } from './synthetic';

/** The image the loader tests and the model-folder fuzzer predict to check that a loaded model works. */
export const probeImage = { width: 8, height: 8, channels: 1, pixels: new Uint8Array(64).fill(30) } as const;

/** Valid folders to mutate, and their parsed JSON files. */
export interface GoodFolders {
  /** A saved model folder. */
  readonly good: string;
  readonly goodJson: unknown;
  /** The checkpoint folder of the same training run (one epoch: `epoch-0001`). */
  readonly ckpt: string;
  readonly ckptJson: unknown;
}

/**
 * Trains a small bars model one epoch with checkpoints (run `runId`) and saves it, under `root`: the
 * valid inputs that the property tests of the loader and `pnpm fuzz:model` mutate.
 */
export async function goodFolders(root: string, runId: string): Promise<GoodFolders> {
  const model = await GruClassifier.create({
    classNames: ['h', 'v', 'd'],
    height: 8,
    width: 8,
    units: 4,
    seed: 2,
  });
  const ckpt = join(root, 'ckpt');
  await model.fit(barsSet(30, 1), {
    epochs: 1,
    batchSize: 10,
    checkpoint: { save: checkpointDirectory(ckpt, { runId }).save },
  });
  const good = join(root, 'good');
  await saveClassifier(model, good);
  const readJson = async (file: string): Promise<unknown> => JSON.parse(await readFile(file, 'utf8'));
  return {
    good,
    goodJson: await readJson(join(good, 'model.json')),
    ckpt,
    ckptJson: await readJson(join(ckpt, 'epoch-0001', 'checkpoint.json')),
  };
}
