// Trains the three models the demo ships with the `gruvision train` CLI, and builds the Fashion-MNIST
// gallery, reproducibly (fixed seeds):
//   pnpm --filter @gruvision/web models            # all models
//   pnpm --filter @gruvision/web models mnist      # one of them
// Each model is one CLI run from the repo root, e.g.
//   pnpm gruvision train --dataset mnist --units 64 --epochs 4 --seed 1 --out <tmp>/mnist --json
// into a temporary directory; only model.json and weights.bin are copied to public/models/<name>/
// (the CLI's report, curves, settings and checkpoints stay out of the site). The gallery,
// public/data/fashion-gallery.{bin,json}, holds test images of the same split the Fashion model was
// tested on: `gruvision train --seed S` splits Fashion-MNIST with fashionMnist({ seed: S }).
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { fashionMnist, subset } from '@gruvision/data/node';
import { encodeImagePack } from '../src/image-pack';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const root = join(app, '../..');
const log = (line: string): void => {
  process.stdout.write(`${line}\n`);
};

interface Recipe {
  /** The folder under public/models/ (and the menu value of the page). */
  readonly name: 'mnist' | 'fashion-mnist' | 'mnist-mingru';
  readonly dataset: 'mnist' | 'fashion-mnist';
  /** Arguments of `gruvision train` after `--dataset <name>`; everything else is the CLI's default. */
  readonly args: readonly string[];
}

/** The seed of the Fashion-MNIST run: it also picks the train/test split the gallery must come from. */
const FASHION_SEED = 0;

const recipes: Recipe[] = [
  { name: 'mnist', dataset: 'mnist', args: ['--units', '64', '--epochs', '4', '--seed', '1'] },
  {
    name: 'fashion-mnist',
    dataset: 'fashion-mnist',
    args: ['--units', '64', '--epochs', '8', '--seed', String(FASHION_SEED)],
  },
  // minGRU (gates from the input only): the page shows its z and candidate h̃ beside h.
  {
    name: 'mnist-mingru',
    dataset: 'mnist',
    args: ['--cell', 'mingru', '--units', '64', '--epochs', '4', '--seed', '1'],
  },
];

interface TrainResult {
  readonly type: 'result';
  readonly testAccuracy: number;
  readonly testCount: number;
  readonly seconds: number;
  readonly parameters: number;
}

function trainWithCli(recipe: Recipe, out: string): TrainResult {
  const args = ['gruvision', 'train', '--dataset', recipe.dataset, ...recipe.args, '--out', out, '--json'];
  log(`$ pnpm ${args.join(' ')}`);
  const started = performance.now();
  // Under --json stdout is NDJSON (one event per epoch, then the result); progress goes to stderr.
  const run = spawnSync('pnpm', ['--silent', ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (run.error) throw run.error;
  if (run.status !== 0) throw new Error(`gruvision train for ${recipe.name} exited with ${run.status}`);
  const result = run.stdout
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as { type: string })
    .find((event): event is TrainResult => event.type === 'result');
  if (result === undefined || typeof result.testAccuracy !== 'number') {
    throw new Error(`gruvision train for ${recipe.name} printed no result: ${run.stdout.slice(0, 200)}`);
  }
  log(
    `  test accuracy ${(result.testAccuracy * 100).toFixed(2)}% on ${result.testCount} images, ` +
      `${result.parameters} parameters, ${result.seconds.toFixed(0)} s of training, ` +
      `${((performance.now() - started) / 1000).toFixed(0)} s in all`,
  );
  return result;
}

async function writeFashionGallery(): Promise<void> {
  const { test } = await fashionMnist({ seed: FASHION_SEED });
  // The first 4 test images of each class, in test-set order (one of each class first).
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
  const galleryJson = join(app, 'public/data/fashion-gallery.json');
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
    galleryJson,
    `${JSON.stringify({ classNames: test.classNames, split: `fashionMnist({ seed: ${FASHION_SEED} }) test`, testIndices: picks })}\n`,
  );
  // Formatted the way the repo's `pnpm lint` (biome) wants the JSON files it checks.
  const format = spawnSync('pnpm', ['--silent', 'biome', 'format', '--write', galleryJson], {
    cwd: root,
    stdio: 'inherit',
  });
  if (format.status !== 0) throw new Error(`biome format of ${galleryJson} exited with ${format.status}`);
  log(`  wrote public/data/fashion-gallery.{bin,json} (${gallery.count} test images)`);
}

const only = process.argv[2];
const work = mkdtempSync(join(tmpdir(), 'gruvision-web-models-'));
try {
  for (const recipe of recipes.filter((r) => !only || r.name === only)) {
    const out = join(work, recipe.name);
    trainWithCli(recipe, out);
    const dir = join(app, 'public/models', recipe.name);
    mkdirSync(dir, { recursive: true });
    for (const file of ['model.json', 'weights.bin']) copyFileSync(join(out, file), join(dir, file));
    log(`  copied model.json and weights.bin to public/models/${recipe.name}/`);
    if (recipe.name === 'fashion-mnist') await writeFashionGallery();
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}
