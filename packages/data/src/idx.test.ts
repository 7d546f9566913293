import { describe, expect, it } from 'vitest';
import { GruDataError } from './errors';
import {
  readIdx,
  readIdxImageSet,
  readIdxImages,
  readIdxLabels,
  writeIdxImages,
  writeIdxLabels,
} from './idx';

const images = {
  count: 3,
  height: 2,
  width: 4,
  channels: 1,
  pixels: Uint8Array.from({ length: 24 }, (_, i) => (i * 37) % 256),
};
const labels = Int32Array.from([7, 0, 9]);

describe('IDX', () => {
  it('round-trips images and labels', () => {
    const imageBytes = writeIdxImages(images);
    const labelBytes = writeIdxLabels(labels);
    expect(imageBytes.length).toBe(16 + 24);
    expect(Array.from(imageBytes.subarray(0, 4))).toEqual([0, 0, 8, 3]);
    expect(Array.from(labelBytes.subarray(0, 8))).toEqual([0, 0, 8, 1, 0, 0, 0, 3]);
    const set = readIdxImageSet(imageBytes, labelBytes);
    expect(set).toMatchObject({ count: 3, height: 2, width: 4, channels: 1 });
    expect(Array.from(set.pixels)).toEqual(Array.from(images.pixels));
    expect(Array.from(set.labels)).toEqual([7, 0, 9]);
    expect(set.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(readIdx(imageBytes).dims).toEqual([3, 2, 4]);
    expect(readIdxImages(imageBytes)).toMatchObject({ count: 3, height: 2, width: 4 });
    expect(Array.from(readIdxLabels(labelBytes))).toEqual([7, 0, 9]);
  });

  it('reads images at a non-zero byte offset without copying', () => {
    const bytes = writeIdxImages(images);
    const padded = new Uint8Array(bytes.length + 3);
    padded.set(bytes, 3);
    const read = readIdxImages(padded.subarray(3), 'padded');
    expect(read.pixels.buffer).toBe(padded.buffer);
    expect(Array.from(read.pixels)).toEqual(Array.from(images.pixels));
  });

  it('names a wrong magic number and the fix', () => {
    const bytes = writeIdxImages(images);
    bytes[2] = 0x42;
    expect(() => readIdxImages(bytes, 'train-images-idx3-ubyte')).toThrow(
      'train-images-idx3-ubyte: magic number 16899 (0x00004203) is not an IDX header (expected 2051 for images ' +
        'or 2049 for labels). Check that this is an uncompressed MNIST-style IDX file and not another format.',
    );
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0]);
    expect(() => readIdx(png, 'x.idx')).toThrow(/x\.idx: magic number 2303741511 .* is not an IDX header/);
  });

  it('says when the labels file is passed as images and vice versa', () => {
    expect(() => readIdxImages(writeIdxLabels(labels), 'labels.idx')).toThrow(
      'labels.idx: magic number 2049 declares 1 dimension(s), but an image file has 3 (magic 2051). ' +
        'Pass the images file here (is it the labels file?).',
    );
    expect(() => readIdxLabels(writeIdxImages(images), 'images.idx')).toThrow(
      /images\.idx: magic number 2051 declares 3 dimensions, but a label file has 1 \(magic 2049\)/,
    );
  });

  it('names a truncated file', () => {
    const bytes = writeIdxImages(images);
    const error = (() => {
      try {
        readIdxImages(bytes.subarray(0, bytes.length - 5), 'cut.idx');
      } catch (e) {
        return e;
      }
    })();
    expect(GruDataError.isInstance(error)).toBe(true);
    expect((error as GruDataError).code).toBe('TRUNCATED');
    expect((error as GruDataError).file).toBe('cut.idx');
    expect((error as Error).message).toBe(
      'cut.idx: the header promises 3×2×4 = 24 bytes of data but only 19 follow. The file is truncated; ' +
        'download or extract it again.',
    );
    expect(() => readIdx(bytes.subarray(0, 10), 'short.idx')).toThrow(
      'short.idx: the header declares 3 dimensions (16 bytes) but the file has only 10 bytes. The file is ' +
        'truncated; download or extract it again.',
    );
    expect(() => readIdx(new Uint8Array(0), 'empty.idx')).toThrow(
      'empty.idx: only 0 bytes, too short for an IDX header. The file is truncated or empty; download or extract it again.',
    );
  });

  it('refuses trailing bytes and gzip data with the fix', () => {
    const bytes = writeIdxLabels(labels);
    const longer = new Uint8Array(bytes.length + 2);
    longer.set(bytes);
    expect(() => readIdxLabels(longer, 'l.idx')).toThrow(
      'l.idx: 2 unexpected bytes follow the 3 data the header declares. The file is corrupt or not an IDX file; ' +
        'download or extract it again.',
    );
    expect(() => readIdx(Uint8Array.from([0x1f, 0x8b, 8, 0]), 'a.gz')).toThrow(
      "a.gz: the bytes are gzip-compressed. Decompress them first (readIdxFile from '@gruvision/data/node' does it for .gz files).",
    );
  });

  it('names an image/label count mismatch', () => {
    expect(() =>
      readIdxImageSet(writeIdxImages(images), writeIdxLabels([1, 2]), {
        imagesSource: 'train-images',
        labelsSource: 't10k-labels',
      }),
    ).toThrow(
      't10k-labels: holds 2 labels but train-images holds 3 images. Pair each image file with its own label ' +
        'file (train with train, t10k with t10k).',
    );
  });

  it('names a label out of range', () => {
    expect(() =>
      readIdxImageSet(writeIdxImages(images), writeIdxLabels([1, 12, 2]), { labelsSource: 'labels.idx' }),
    ).toThrow(
      'labels.idx: label 12 of record 1 is outside [0, 10) for 10 classes. Pass the matching class names ' +
        '(classNames) or fix the label file.',
    );
    expect(() =>
      readIdxImageSet(writeIdxImages(images), writeIdxLabels([0, 1, 2]), { classNames: ['a', 'b'] }),
    ).toThrow(/label 2 of record 2 is outside \[0, 2\)/);
  });

  it('refuses to write what IDX cannot hold', () => {
    expect(() => writeIdxImages({ ...images, channels: 3, pixels: new Uint8Array(72) })).toThrow(
      'writeIdxImages: the set has 3 channels but IDX image files hold one. Convert it to grayscale first.',
    );
    expect(() => writeIdxLabels([300])).toThrow(
      'writeIdxLabels: label 300 at index 0 does not fit in an unsigned byte. IDX label files hold labels 0–255.',
    );
  });
});
