import { describe, expect, it } from 'vitest';
import { summarize } from '../summary';
import { FASHION_MNIST_CLASS_NAMES } from './embedded';
import { loadDataset } from './load-dataset';

// Zalando's official files as Debian's package dataset-fashion-mnist installs them (.ci/run installs it;
// elsewhere: apt install dataset-fashion-mnist). What Zalando's README documents: 60 000 training and
// 10 000 test images of 28×28, ten classes, and (Fashion-MNIST is balanced) 6 000 / 1 000 per class.
const OFFICIAL_DIR = '/usr/share/datasets/fashion-mnist';

describe("fashion-mnist:<dir> on Zalando's official files", () => {
  it('reads 60 000 / 10 000 images, 6 000 / 1 000 per class, as the official split', async () => {
    const { train, test, split, splitNote } = await loadDataset(`fashion-mnist:${OFFICIAL_DIR}`);
    expect(train).toMatchObject({ count: 60_000, height: 28, width: 28, channels: 1 });
    expect(test).toMatchObject({ count: 10_000, height: 28, width: 28, channels: 1 });
    expect(train.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect(summarize(train).classCounts).toEqual(new Array(10).fill(6000));
    expect(summarize(test).classCounts).toEqual(new Array(10).fill(1000));
    expect([split, splitNote]).toEqual(['official', 'official test set']);
  });
});
