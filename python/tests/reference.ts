// Writes the references the Python tests compare against, made by gruvision itself:
// - `views`: sequences from @gruvision/data's imageToSequence for every view mode, permutation and normalization;
// - `models`: small gruvision models (saved as model directories, weights scaled so probabilities are far from
//   uniform) and the probabilities the math engine's predict() gives for real MNIST test images.
// Usage (from the repository root): pnpm exec tsx --conditions=@gruvision/source python/tests/reference.ts OUT_DIR
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { GruClassifier } from '@gruvision/classifier';
import { saveClassifier } from '@gruvision/classifier/node';
import type { ImageSet, SequenceView } from '@gruvision/data';
import { DIGIT_CLASS_NAMES, imageToSequence, SeededRandom, seededPermutation, subset } from '@gruvision/data';
import { mnist } from '@gruvision/data/node';
import type { CellType } from '@gruvision/math';

const out = process.argv[2];
if (!out) throw new Error('usage: reference.ts OUT_DIR');
mkdirSync(out, { recursive: true });

// Views on a small three-channel image of random bytes (every mode, permutation, normalization).
const rng = new SeededRandom(7);
const shape = { height: 8, width: 12, channels: 3 };
const pixels = Uint8Array.from({ length: 8 * 12 * 3 }, () => rng.int(256));
const views: SequenceView[] = [
  { mode: 'rows' },
  { mode: 'columns' },
  { mode: 'pixels' },
  { mode: 'patches', patchSize: 4 },
  { mode: 'patches', patchSize: 2, permutationSeed: 3 },
  { mode: 'rows', permutationSeed: 11, normalize: { mean: 0.1307, std: 0.3081 } },
  { mode: 'pixels', permutationSeed: 42, normalize: { mean: 0.5, std: 0.25 } },
  { mode: 'columns', normalize: { mean: 0.2, std: 0.7 } },
];
const viewCases = views.map((view) => ({
  view,
  shape,
  sequence: Array.from(imageToSequence({ ...shape, pixels }, view)),
}));

// Models: every cell, stacking, direction and view the PyTorch module supports.
interface ModelCase {
  name: string;
  cell: CellType;
  units: number;
  layers: number;
  bidirectional: boolean;
  view: SequenceView;
}
const normalize = { mean: 0.1307, std: 0.3081 };
const modelCases: ModelCase[] = [
  {
    name: 'gru-rows',
    cell: 'gru',
    units: 16,
    layers: 1,
    bidirectional: false,
    view: { mode: 'rows', normalize },
  },
  {
    name: 'gru-2x-bidirectional-columns',
    cell: 'gru',
    units: 8,
    layers: 2,
    bidirectional: true,
    view: { mode: 'columns', normalize },
  },
  {
    name: 'lstm-patches',
    cell: 'lstm',
    units: 12,
    layers: 1,
    bidirectional: false,
    view: { mode: 'patches', patchSize: 4, normalize },
  },
  {
    name: 'lstm-bidirectional-rows',
    cell: 'lstm',
    units: 8,
    layers: 1,
    bidirectional: true,
    view: { mode: 'rows', normalize },
  },
  {
    name: 'rnn-2x-permuted-rows',
    cell: 'simpleRnn',
    units: 10,
    layers: 2,
    bidirectional: false,
    view: { mode: 'rows', permutationSeed: 5, normalize },
  },
];
const { test } = await mnist();
const count = 24;
const images: ImageSet = subset(
  test,
  Array.from({ length: count }, (_, i) => i * 7),
);
const models = [];
for (const c of modelCases) {
  const model = await GruClassifier.create({
    classNames: DIGIT_CLASS_NAMES,
    view: c.view,
    cell: c.cell,
    units: c.units,
    layers: c.layers,
    bidirectional: c.bidirectional,
    ...(c.cell === 'gru' ? { resetAfter: true } : {}),
    seed: 17,
    preprocess: 'none',
    engine: 'math',
  });
  // Random weights give near-uniform probabilities; scaled, the comparison has something to find.
  const weightRng = new SeededRandom(c.name.length);
  model.setWeights(
    model.getWeights().map((w) => ({
      ...w,
      values: w.values.map((v) => v * 2.5 + (w.name.endsWith('bias') ? (weightRng.next() - 0.5) * 0.5 : 0)),
    })),
  );
  const dir = join(out, c.name);
  await saveClassifier(model, dir);
  const predictions = await model.predict(images, { topK: 1 });
  models.push({ name: c.name, dir, probabilities: predictions.map((p) => Array.from(p.probabilities)) });
  model.dispose();
}

writeFileSync(
  join(out, 'reference.json'),
  JSON.stringify({
    views: viewCases,
    permutation: { length: 784, seed: 123456789, order: Array.from(seededPermutation(784, 123456789)) },
    images: { count, height: 28, width: 28, channels: 1, pixels: Array.from(images.pixels) },
    models,
  }),
);
