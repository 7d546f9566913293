import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { writeCifar } from '../cifar';
import { writeIdxImages, writeIdxLabels } from '../idx';
import { summarize } from '../summary';
import { FASHION_MNIST_CLASS_NAMES } from './embedded';
import { loadDataset } from './load-dataset';
import { thrown, useTempDir } from './test-helpers';

function idxSet(count: number) {
  return {
    count,
    height: 2,
    width: 2,
    channels: 1,
    pixels: Uint8Array.from({ length: count * 4 }, (_, i) => i % 256),
  };
}

function cifarSet(labels: number[]) {
  return {
    count: labels.length,
    height: 32,
    width: 32,
    channels: 3,
    pixels: new Uint8Array(labels.length * 3072).fill(5),
    labels: Int32Array.from(labels),
  };
}

describe('loadDataset', () => {
  const tempDir = useTempDir();

  it('idx:<dir> finds the MNIST file names, plain or .gz', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(writeIdxImages(idxSet(3))));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte'), writeIdxLabels([1, 2, 3]));
    writeFileSync(join(dir, 't10k-images.idx3-ubyte'), writeIdxImages(idxSet(2)));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(writeIdxLabels([9, 0])));
    const { train, test, split } = await loadDataset(`idx:${dir}`);
    expect([train.count, test.count]).toEqual([3, 2]);
    expect(split).toBe('official');
    expect(Array.from(test.labels)).toEqual([9, 0]);
    expect(train.classNames).toHaveLength(10);
  });

  it('fashion-mnist:<dir> reads the official IDX files with the Fashion-MNIST classes, split official', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(writeIdxImages(idxSet(3))));
    writeFileSync(join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(writeIdxLabels([0, 9, 8])));
    writeFileSync(join(dir, 't10k-images-idx3-ubyte.gz'), gzipSync(writeIdxImages(idxSet(2))));
    writeFileSync(join(dir, 't10k-labels-idx1-ubyte.gz'), gzipSync(writeIdxLabels([9, 1])));
    const loaded = await loadDataset(`fashion-mnist:${dir}`);
    expect([loaded.train.count, loaded.test.count]).toEqual([3, 2]);
    expect(Array.from(loaded.test.pixels)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
    expect(loaded.test.classNames[loaded.test.labels[0]!]).toBe('Ankle boot');
    expect(loaded.train.classNames).toEqual(FASHION_MNIST_CLASS_NAMES);
    expect([loaded.split, loaded.splitNote]).toEqual(['official', 'official test set']);
    expect((await loadDataset(`idx:${dir}`)).train.classNames[9]).toBe('9');
    rmSync(join(dir, 't10k-labels-idx1-ubyte.gz'));
    expect((await thrown(() => loadDataset(`fashion-mnist:${dir}`))).message).toBe(
      `${dir}: no test labels file (t10k-labels-idx1-ubyte or t10k-labels-idx1-ubyte.gz) found. A fashion-mnist:<dir> ` +
        'dataset needs the four MNIST-style files train-images-idx3-ubyte, train-labels-idx1-ubyte, ' +
        "t10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may be .gz), as in Zalando's Fashion-MNIST release " +
        '(its data/fashion folder). On Debian or Ubuntu: apt install dataset-fashion-mnist, then ' +
        'fashion-mnist:/usr/share/datasets/fashion-mnist.',
    );
  });

  it('the embedded fashion-mnist says it is not the official split', async () => {
    const root = tempDir();
    const clothes = join(root, 'src', 'clothes');
    mkdirSync(clothes, { recursive: true });
    writeFileSync(join(root, 'package.json'), '{"name":"fashion-mnist"}');
    for (let label = 0; label < 10; label++) {
      const images = Array.from({ length: 3 }, () => new Array(784).fill(label));
      writeFileSync(join(clothes, `${label}.json`), JSON.stringify({ data: images }));
    }
    const loaded = await loadDataset('fashion-mnist', { seed: 5, resolve: () => join(root, 'package.json') });
    expect(loaded.train.count + loaded.test.count).toBe(30);
    expect(loaded.split).toBe('seeded');
    expect(loaded.splitNote).toBe(
      "not the official split: a seeded, stratified 10 000-image test set drawn from the fashion-mnist package's " +
        '70 000 images (seed 5); for the official split: apt install dataset-fashion-mnist, then ' +
        "fashion-mnist:/usr/share/datasets/fashion-mnist (or fashion-mnist:<dir> with Zalando's IDX files)",
    );
  });

  it('idx:<dir> names the missing file', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'train-images-idx3-ubyte'), writeIdxImages(idxSet(3)));
    const error = await thrown(() => loadDataset(`idx:${dir}`));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(
      `${dir}: no training labels file (train-labels-idx1-ubyte or train-labels-idx1-ubyte.gz) found. An idx:<dir> ` +
        'dataset needs the four MNIST-style files train-images-idx3-ubyte, train-labels-idx1-ubyte, ' +
        't10k-images-idx3-ubyte and t10k-labels-idx1-ubyte (each may be .gz).',
    );
  });

  it('cifar10:<dir> reads the five batches, the test batch and the meta names', async () => {
    const dir = tempDir();
    const root = join(dir, 'cifar-10-batches-bin');
    mkdirSync(root);
    for (let n = 1; n <= 5; n++)
      writeFileSync(join(root, `data_batch_${n}.bin`), writeCifar(cifarSet([n, n]), { variant: 'cifar10' }));
    writeFileSync(join(root, 'test_batch.bin'), writeCifar(cifarSet([0, 9, 8]), { variant: 'cifar10' }));
    const { train, test } = await loadDataset(`cifar10:${dir}`);
    expect(train.count).toBe(10);
    expect(Array.from(train.labels)).toEqual([1, 1, 2, 2, 3, 3, 4, 4, 5, 5]);
    expect(test.count).toBe(3);
    expect(train.classNames[0]).toBe('airplane');
    writeFileSync(join(root, 'batches.meta.txt'), 'a\nb\nc\nd\ne\nf\ng\nh\ni\nj\n\n');
    expect((await loadDataset(`cifar10:${root}`)).train.classNames).toEqual('abcdefghij'.split(''));
    const error = await thrown(() => loadDataset(`cifar100:${dir}`));
    expect(error.message).toBe(
      `${dir}: train.bin not found. A cifar100:<dir> dataset needs the binary version's files (train.bin, test.bin), ` +
        'in <dir> or in <dir>/cifar-100-binary.',
    );
  });

  it('cifar100:<dir> and cifar100-coarse:<dir> pick the label byte', async () => {
    const dir = tempDir();
    writeFileSync(
      join(dir, 'train.bin'),
      writeCifar(cifarSet([70, 3]), { variant: 'cifar100', otherLabels: [12, 19] }),
    );
    writeFileSync(
      join(dir, 'test.bin'),
      writeCifar(cifarSet([5]), { variant: 'cifar100', otherLabels: [0] }),
    );
    const fine = await loadDataset(`cifar100:${dir}`);
    expect(Array.from(fine.train.labels)).toEqual([70, 3]);
    expect(fine.train.classNames).toHaveLength(100);
    const coarse = await loadDataset(`cifar100-coarse:${dir}`);
    expect(Array.from(coarse.train.labels)).toEqual([12, 19]);
    expect(coarse.train.classNames).toHaveLength(20);
  });

  it('folder:<dir> uses train/ and test/ when both exist, with the training classes', async () => {
    const dir = tempDir();
    const put = (path: string, value: number) => {
      mkdirSync(join(path, '..'), { recursive: true });
      writeFileSync(
        path,
        encodePng({ width: 4, height: 4, data: new Uint8Array(16).fill(value), channels: 1, depth: 8 }),
      );
    };
    put(join(dir, 'train', 'a', '1.png'), 1);
    put(join(dir, 'train', 'b', '1.png'), 2);
    put(join(dir, 'train', 'c', '1.png'), 3);
    put(join(dir, 'test', 'c', '1.png'), 4);
    const { train, test } = await loadDataset(`folder:${dir}`);
    expect(train.classNames).toEqual(['a', 'b', 'c']);
    expect(test.classNames).toEqual(['a', 'b', 'c']);
    expect(Array.from(test.labels)).toEqual([2]);
    const loaded = await loadDataset(`folder:${dir}`);
    expect([loaded.split, loaded.splitNote]).toEqual(['test-folder', `the test/ folder of ${dir}`]);
  });

  it('folder:<dir> without train/test splits one folder by a seeded stratified split', async () => {
    const dir = tempDir();
    for (const cls of ['x', 'y']) {
      mkdirSync(join(dir, cls));
      for (let i = 0; i < 10; i++) {
        writeFileSync(
          join(dir, cls, `${i}.png`),
          encodePng({ width: 2, height: 2, data: new Uint8Array(4).fill(i), channels: 1, depth: 8 }),
        );
      }
    }
    const a = await loadDataset(`folder:${dir}`, { seed: 4 });
    expect([a.train.count, a.test.count]).toEqual([16, 4]);
    expect(summarize(a.test).classCounts).toEqual([2, 2]);
    const b = await loadDataset(`folder:${dir}`, { seed: 4, testFraction: 0.5 });
    expect(summarize(b.test).classCounts).toEqual([5, 5]);
    expect([b.split, b.splitNote]).toEqual([
      'seeded',
      `a seeded stratified 50 % of ${dir} (seed 4; add train/ and test/ folders for a fixed test set)`,
    ]);
  });

  it('names an unknown scheme and a missing folder', async () => {
    const error = await thrown(() => loadDataset('imagenet:/data'));
    expect(error.code).toBe('INVALID_ARGUMENT');
    expect(error.message).toBe(
      "Unknown dataset 'imagenet:/data'. Use one of: mnist, fashion-mnist, fashion-mnist:<dir>, idx:<dir>, cifar10:<dir>, cifar100:<dir>, " +
        'cifar100-coarse:<dir>, folder:<dir>.',
    );
    expect((await thrown(() => loadDataset('mnsit'))).message).toMatch(
      /^Unknown dataset 'mnsit'\. Use one of: mnist,/,
    );
    expect((await thrown(() => loadDataset('idx:'))).message).toBe(
      "Dataset 'idx:' names no folder. Write it as idx:<dir>.",
    );
    const dir = join(tempDir(), 'absent');
    expect((await thrown(() => loadDataset(`cifar10:${dir}`))).message).toBe(
      `${dir}: folder not found (from dataset 'cifar10:${dir}'). Check the path.`,
    );
  });
});
