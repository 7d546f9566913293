import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { writeCifar } from '../cifar';
import { writeIdxImages, writeIdxLabels } from '../idx';
import { readCifarFiles, readIdxDataset, readIdxFile, readImageFile } from './files';
import { thrown, useTempDir } from './test-helpers';

const images = {
  count: 4,
  height: 3,
  width: 2,
  channels: 1,
  pixels: Uint8Array.from({ length: 24 }, (_, i) => i * 10),
};

describe('IDX files', () => {
  const tempDir = useTempDir();

  it('reads plain and .gz files identically', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'images'), writeIdxImages(images));
    writeFileSync(join(dir, 'images.gz'), gzipSync(writeIdxImages(images)));
    const plain = await readIdxFile(join(dir, 'images'));
    const gz = await readIdxFile(join(dir, 'images.gz'));
    expect(plain.dims).toEqual([4, 3, 2]);
    expect(gz.dims).toEqual([4, 3, 2]);
    expect(Array.from(gz.data)).toEqual(Array.from(images.pixels));
  });

  it('reads a dataset and names both files on a count mismatch', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'im.gz'), gzipSync(writeIdxImages(images)));
    writeFileSync(join(dir, 'lab'), writeIdxLabels([3, 1, 4, 1]));
    writeFileSync(join(dir, 'short'), writeIdxLabels([3, 1, 4]));
    const set = await readIdxDataset(join(dir, 'im.gz'), join(dir, 'lab'));
    expect(Array.from(set.labels)).toEqual([3, 1, 4, 1]);
    const error = await thrown(() => readIdxDataset(join(dir, 'im.gz'), join(dir, 'short')));
    expect(error.code).toBe('COUNT_MISMATCH');
    expect(error.message).toBe(
      `${join(dir, 'short')}: holds 3 labels but ${join(dir, 'im.gz')} holds 4 images. Pair each image file with ` +
        'its own label file (train with train, t10k with t10k).',
    );
  });

  it('names a missing file, a damaged gzip and a truncated file', async () => {
    const dir = tempDir();
    const missing = join(dir, 'nope-idx3-ubyte');
    const error = await thrown(() => readIdxFile(missing));
    expect(error.code).toBe('NOT_FOUND');
    expect(error.message).toBe(`${missing}: IDX file not found. Check the path.`);
    const gz = gzipSync(writeIdxImages(images));
    writeFileSync(join(dir, 'cut.gz'), gz.subarray(0, gz.length - 12));
    expect((await thrown(() => readIdxFile(join(dir, 'cut.gz')))).message).toMatch(
      new RegExp(`^${join(dir, 'cut.gz')}: the gzip data is damaged \\(.+\\)\\. Download the file again\\.$`),
    );
    const full = writeIdxImages(images);
    writeFileSync(join(dir, 'cut'), full.subarray(0, full.length - 1));
    expect((await thrown(() => readIdxFile(join(dir, 'cut')))).message).toBe(
      `${join(dir, 'cut')}: the header promises 4×3×2 = 24 bytes of data but only 23 follow. The file is ` +
        'truncated; download or extract it again.',
    );
  });
});

describe('CIFAR files and image files', () => {
  const tempDir = useTempDir();

  it('reads several batches in order', async () => {
    const dir = tempDir();
    const make = (label: number, fill: number) => ({
      count: 1,
      height: 32,
      width: 32,
      channels: 3,
      pixels: new Uint8Array(3072).fill(fill),
      labels: Int32Array.from([label]),
    });
    writeFileSync(join(dir, 'a.bin'), writeCifar(make(2, 9), { variant: 'cifar10' }));
    writeFileSync(join(dir, 'b.bin'), writeCifar(make(5, 7), { variant: 'cifar10' }));
    const set = await readCifarFiles([join(dir, 'a.bin'), join(dir, 'b.bin')], { variant: 'cifar10' });
    expect(set.count).toBe(2);
    expect(Array.from(set.labels)).toEqual([2, 5]);
    expect([set.pixels[0], set.pixels[3072]]).toEqual([9, 7]);
    writeFileSync(join(dir, 'bad.bin'), new Uint8Array(3000));
    const error = await thrown(() =>
      readCifarFiles([join(dir, 'a.bin'), join(dir, 'bad.bin')], { variant: 'cifar10' }),
    );
    expect(error.code).toBe('BAD_RECORD_SIZE');
    expect(error.message).toMatch(
      new RegExp(`^${join(dir, 'bad.bin')}: 3000 bytes is not a multiple of the cifar10 record size 3073`),
    );
  });

  it('names a missing image file and a folder passed as a file', async () => {
    const dir = tempDir();
    expect((await thrown(() => readImageFile(join(dir, 'x.png')))).message).toBe(
      `${join(dir, 'x.png')}: image file not found. Check the path.`,
    );
    mkdirSync(join(dir, 'sub'));
    expect((await thrown(() => readImageFile(join(dir, 'sub')))).message).toBe(
      `${join(dir, 'sub')}: is a folder, not a file. Pass the path of the image file.`,
    );
  });
});
