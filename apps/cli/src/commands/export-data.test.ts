import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ImageSet } from '@gruvision/data';
import { loadDataset } from '@gruvision/data/node';
import { describe, expect, it } from 'vitest';
import { memoryIo } from '../__fixtures__/memory-io';
import { run } from '../program';
import { type DatasetJson, datasetFiles, idxImages, idxLabels, registerExportData } from './export-data';
import { stratifiedSubset } from './shared';

const tempDir = () => mkdtempSync(join(tmpdir(), 'gruvision-export-data-'));

describe('gruvision export-data', () => {
  it('writes the same stratified subset `train --limit` uses, as IDX files that idx:<dir> reads back', async () => {
    const dir = join(tempDir(), 'mnist-300');
    const io = memoryIo();
    const code = await run(
      ['export-data', '--dataset', 'mnist', '--limit', '300', '--test-limit', '100', '--out', dir, '--json'],
      io,
      [registerExportData],
    );
    expect(code, io.err()).toBe(0);
    const json = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8')) as DatasetJson;
    expect(json).toMatchObject({
      format: 'gruvision-dataset',
      version: 1,
      source: 'mnist',
      height: 28,
      width: 28,
      channels: 1,
      pixels: 'uint8-hwc',
      limit: 300,
      testLimit: 100,
      splits: {
        train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 300 },
        test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 100 },
      },
    });
    expect(json.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(JSON.parse(io.out())).toMatchObject({ type: 'result', out: dir });

    const full = await loadDataset('mnist');
    const expectedTrain = stratifiedSubset(full.train, 300, 0);
    const expectedTest = stratifiedSubset(full.test, 100, 0);
    const back = await loadDataset(`idx:${dir}`);
    expect(back.train.count).toBe(300);
    expect(Buffer.from(back.train.pixels).equals(Buffer.from(expectedTrain.pixels))).toBe(true);
    expect(Array.from(back.train.labels)).toEqual(Array.from(expectedTrain.labels));
    expect(Buffer.from(back.test.pixels).equals(Buffer.from(expectedTest.pixels))).toBe(true);
    expect(Array.from(back.test.labels)).toEqual(Array.from(expectedTest.labels));
  });

  it('refuses to replace a folder that is not an earlier export, and leaves it as it was', async () => {
    const dir = join(tempDir(), 'precious');
    mkdirSync(dir);
    writeFileSync(join(dir, 'notes.txt'), 'keep me');
    const io = memoryIo();
    const code = await run(
      ['export-data', '--dataset', 'mnist', '--limit', '20', '--test-limit', '20', '--out', dir],
      io,
      [registerExportData],
    );
    expect(code).toBe(1);
    expect(io.err()).toContain(`${dir} exists and is not an earlier gruvision export-data folder`);
    expect(readdirSync(dir)).toEqual(['notes.txt']);
    expect(readFileSync(join(dir, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('replaces an earlier export in place', async () => {
    const dir = join(tempDir(), 'again');
    for (const limit of ['30', '40']) {
      const io = memoryIo();
      expect(
        await run(['export-data', '--limit', limit, '--test-limit', '20', '--out', dir], io, [
          registerExportData,
        ]),
        io.err(),
      ).toBe(0);
    }
    const json = JSON.parse(readFileSync(join(dir, 'dataset.json'), 'utf8')) as DatasetJson;
    expect(json.splits.train.count).toBe(40);
    expect(readdirSync(dir).sort()).toEqual([
      'dataset.json',
      't10k-images-idx3-ubyte',
      't10k-labels-idx1-ubyte',
      'train-images-idx3-ubyte',
      'train-labels-idx1-ubyte',
    ]);
  });
});

describe('export-data file encodings', () => {
  const rgb: ImageSet = {
    count: 2,
    height: 1,
    width: 2,
    channels: 3,
    pixels: Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]),
    labels: Int32Array.from([0, 1]),
    classNames: ['a', 'b'],
  };

  it('writes several channels as a rank-4 IDX file [count, height, width, channels]', () => {
    const bytes = idxImages(rgb);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 8, 4]);
    const view = new DataView(bytes.buffer);
    expect([1, 2, 3, 4].map((d) => view.getUint32(4 * d, false))).toEqual([2, 1, 2, 3]);
    expect(Array.from(bytes.subarray(20))).toEqual(Array.from(rgb.pixels));
    const { json } = datasetFiles(rgb, rgb, { source: 'folder:x', seed: 0 });
    expect(json.splits.train.images).toBe('train-images-idx4-ubyte');
  });

  it('writes labels of more than 256 classes as big-endian int32 (type 0x0C)', () => {
    const bytes = idxLabels(Int32Array.from([3, 300]), 301);
    expect(Array.from(bytes.subarray(0, 4))).toEqual([0, 0, 12, 1]);
    const view = new DataView(bytes.buffer);
    expect([view.getUint32(4, false), view.getInt32(8, false), view.getInt32(12, false)]).toEqual([
      2, 3, 300,
    ]);
  });
});
