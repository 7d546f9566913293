import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { GruClassifier } from '@gruvision/classifier';
import { concatImageSets, type ImageSet, type InputLimits } from '@gruvision/data';
import {
  type ImageFolderOptions,
  loadDataset,
  readImageFolder,
  type SkippedFile,
  type TestSplit,
} from '@gruvision/data/node';
import { type InvertMode, preparePicture } from '../pictures';

/** The pictures `eval` reads from a `folder:` dataset, and how to say what they are. */
export interface EvalFolder {
  readonly set: ImageSet;
  readonly skipped: readonly SkippedFile[];
  /** "all 20 pictures" or "the test split: 4 of 20 pictures". */
  readonly what: string;
  /** Which pictures are evaluated: the folder's `test/`, a seeded split of it, or all of it (`--all`). */
  readonly split: TestSplit | 'whole-folder';
  /** The same in words, for the accuracy line and `--json`. */
  readonly splitNote: string;
}

async function isFolder(path: string): Promise<boolean> {
  return (await stat(path).catch(() => undefined))?.isDirectory() ?? false;
}

/**
 * The pictures of an image folder for `eval`, each read as `predict` reads a picture (the model's
 * preprocessing, `--invert`, resized to its input): with `all`, every picture (of `train/` and `test/`
 * when the folder has both); else the test split that `train` held out of the same folder.
 */
export async function readEvalFolder(
  dir: string,
  model: GruClassifier,
  options: { all: boolean; invert: InvertMode; limits: InputLimits; skipInvalid?: boolean; seed?: number },
): Promise<EvalFolder> {
  const { height, width } = model.input;
  const folderOptions: ImageFolderOptions = {
    ...options.limits,
    height,
    width,
    channels: model.input.channels as 1 | 3 | 4,
    prepare: (image) => preparePicture(model, image, options.invert),
    ...(options.skipInvalid ? { skipInvalid: true } : {}),
  };
  const whole = { split: 'whole-folder', splitNote: 'every picture of the folder (--all)' } as const;
  const split = (await isFolder(join(dir, 'train'))) && (await isFolder(join(dir, 'test')));
  if (options.all) {
    if (!split) {
      const { set, skipped } = await readImageFolder(dir, folderOptions);
      return { set, skipped, what: `all ${set.count} pictures`, ...whole };
    }
    const train = await readImageFolder(join(dir, 'train'), folderOptions);
    const test = await readImageFolder(join(dir, 'test'), {
      ...folderOptions,
      classNames: train.set.classNames,
    });
    const set = concatImageSets([train.set, test.set]);
    return {
      set,
      skipped: [...train.skipped, ...test.skipped],
      what: `all ${set.count} pictures (train/ and test/)`,
      ...whole,
    };
  }
  const {
    train,
    test,
    skipped,
    split: testSplit,
    splitNote,
  } = await loadDataset(`folder:${dir}`, {
    seed: options.seed ?? 0,
    ...folderOptions,
  });
  const total = train.count + test.count;
  return {
    set: test,
    skipped,
    what: split
      ? `the ${test.count} pictures of test/`
      : `the test split: ${test.count} of ${total} pictures (--all: every picture)`,
    split: testSplit,
    splitNote,
  };
}
