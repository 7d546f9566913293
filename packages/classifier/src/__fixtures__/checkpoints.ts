import type { ImageSet } from '@gruvision/data';
import type { Checkpoint } from '../checkpoint';
import { GruClassifier } from '../classifier';
import type { FitOptions } from '../fit/options';
import type { GruClassifierOptions } from '../model-options';

/**
 * A fresh model of `modelOptions` trained on `train` with `options`, keeping every checkpoint it saves:
 * the uninterrupted run that resume and checkpoint tests compare with.
 */
export async function fitSavingCheckpoints(
  modelOptions: GruClassifierOptions,
  train: ImageSet,
  options: Omit<FitOptions, 'checkpoint'>,
) {
  const saved: Checkpoint[] = [];
  const model = await GruClassifier.create(modelOptions);
  const history = await model.fit(train, { ...options, checkpoint: { save: (c) => void saved.push(c) } });
  return { model, history, saved };
}
