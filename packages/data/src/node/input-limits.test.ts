// Inputs small on disk but huge to process (issue 14, item 5): each is refused with a typed error
// before the large allocation, by a check on what the input declares or by a small cap.
import { execFileSync } from 'node:child_process';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { encode as encodePng } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { writeIdxImages, writeIdxLabels } from '../idx';
import {
  readCifarFiles,
  readFileBytes,
  readIdxDataset,
  readIdxFile,
  readImageFile,
  readMaybeGzip,
} from './files';
import { readImageFolder } from './image-folder';
import { loadDataset } from './load-dataset';
import { thrown, useTempDir } from './test-helpers';

const MiB = 1024 * 1024;

/** Peak resident memory of this process so far, in bytes (it only grows). */
function peakRss(): number {
  return process.resourceUsage().maxRSS * 1024;
}

/** Ten 28×28 MNIST-like images as an IDX file (7 856 bytes). */
function tenDigits(): Uint8Array {
  return writeIdxImages({
    count: 10,
    height: 28,
    width: 28,
    channels: 1,
    pixels: Uint8Array.from({ length: 7840 }, (_, i) => i % 251),
  });
}

/**
 * A gzip bomb: the real IDX file, then `mib` MiB of zeros as further gzip members (each 1 MiB of
 * zeros compresses to ~1 KiB; gunzip inflates every member of a file).
 */
function idxBomb(mib: number): Uint8Array {
  const zeros = gzipSync(new Uint8Array(MiB), { level: 9 });
  const head = gzipSync(tenDigits());
  const out = new Uint8Array(head.length + mib * zeros.length);
  out.set(head);
  for (let i = 0; i < mib; i++) out.set(zeros, head.length + i * zeros.length);
  return out;
}

function png(width: number, height: number, value = 100): Uint8Array {
  return encodePng({
    width,
    height,
    data: new Uint8Array(width * height).fill(value),
    channels: 1,
    depth: 8,
  });
}

function mkfifo(path: string): void {
  execFileSync('mkfifo', [path]);
}

describe('gzip bombs', () => {
  const tempDir = useTempDir();

  it('stops inflating an IDX .gz at the size its header declares', async () => {
    const dir = tempDir();
    const bomb = idxBomb(384);
    expect(bomb.length).toBeLessThan(MiB); // under 1 MiB on disk, 384 MiB inflated
    writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), bomb);
    const before = peakRss();
    const error = await thrown(() => readIdxFile(join(dir, 'train-images-idx3-ubyte.gz')));
    const grown = peakRss() - before;
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(
      new RegExp(
        `^${join(dir, 'train-images-idx3-ubyte.gz')}: the gzip data inflates to more than the 7.67 KiB its IDX ` +
          'header declares \\(from \\d+ KiB\\); stopped there\\. The file is corrupt or built to exhaust memory; ' +
          'download or extract it again\\.$',
      ),
    );
    // The old reader inflated all 384 MiB before it noticed; the peak may not grow by a quarter of that.
    expect(grown).toBeLessThan(96 * MiB);
    // The honest file reads.
    writeFileSync(join(dir, 'ok.gz'), gzipSync(tenDigits()));
    expect((await readIdxFile(join(dir, 'ok.gz'))).dims).toEqual([10, 28, 28]);
  });

  it('refuses an IDX header that declares more than maxBytes before inflating the data', async () => {
    const dir = tempDir();
    const head = new Uint8Array(16);
    new DataView(head.buffer).setUint32(0, 2051);
    new DataView(head.buffer).setUint32(4, 1_000_000);
    new DataView(head.buffer).setUint32(8, 28);
    new DataView(head.buffer).setUint32(12, 28);
    writeFileSync(join(dir, 'big.gz'), gzipSync(head));
    const error = await thrown(() => readIdxFile(join(dir, 'big.gz'), { maxBytes: 100 * MiB }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(
      `${join(dir, 'big.gz')}: the header declares 1000000×28×28 = 748 MiB, more than the limit of 100 MiB. ` +
        'If the data is what you expect, raise the limit (option maxBytes; gruvision: --max-input-size).',
    );
  });

  it('caps the inflated size of other gzip files (CIFAR) at maxBytes', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'data_batch_1.bin'), idxBomb(64));
    const error = await thrown(() =>
      readCifarFiles([join(dir, 'data_batch_1.bin')], { variant: 'cifar10', maxBytes: 8 * MiB }),
    );
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(
      /data_batch_1\.bin: the gzip data inflates to more than the limit of 8 MiB/,
    );
    const labels = join(dir, 'labels.gz');
    writeFileSync(labels, gzipSync(writeIdxLabels([1, 2, 3])));
    expect((await readMaybeGzip(labels, 'file', { maxBytes: 40 })).length).toBe(11);
    expect((await thrown(() => readMaybeGzip(labels, 'file', { maxBytes: 10 }))).code).toBe('TOO_LARGE');
  });
});

describe('files that are not regular files', () => {
  const tempDir = useTempDir();

  it('refuses /dev/zero at once instead of reading past 4 GiB', { timeout: 10_000 }, async () => {
    const error = await thrown(() => readImageFile('/dev/zero'));
    expect(error.code).toBe('NOT_A_FILE');
    expect(error.message).toBe(
      '/dev/zero: is a character device, not a regular file; only regular files are read as image files. ' +
        'Pass a regular file (copy the data into one).',
    );
    const dir = tempDir();
    symlinkSync('/dev/zero', join(dir, 'zero.png'));
    expect((await thrown(() => readImageFile(join(dir, 'zero.png')))).code).toBe('NOT_A_FILE');
  });

  it('refuses a FIFO without blocking on it', { timeout: 10_000 }, async () => {
    const dir = tempDir();
    mkfifo(join(dir, 'pipe.png'));
    const error = await thrown(() => readImageFile(join(dir, 'pipe.png')));
    expect(error.code).toBe('NOT_A_FILE');
    expect(error.message).toMatch(/pipe\.png: is a FIFO \(named pipe\), not a regular file/);
    mkfifo(join(dir, 'train-images-idx3-ubyte'));
    expect((await thrown(() => readIdxFile(join(dir, 'train-images-idx3-ubyte')))).code).toBe('NOT_A_FILE');
  });

  it('refuses a file larger than maxBytes before reading it', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'labels'), writeIdxLabels(new Array(5000).fill(1)));
    const error = await thrown(() =>
      readFileBytes(join(dir, 'labels'), 'IDX label file', { maxBytes: 4096 }),
    );
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(
      `${join(dir, 'labels')}: the IDX label file is 4.89 KiB, more than the limit of 4 KiB. If the file is ` +
        'what you expect, raise the limit (option maxBytes; gruvision: --max-input-size).',
    );
    const images = join(dir, 'images');
    writeFileSync(images, tenDigits());
    expect((await thrown(() => readIdxDataset(images, join(dir, 'labels'), { maxBytes: 4096 }))).code).toBe(
      'TOO_LARGE',
    );
  });

  it('applies maxPixels to image files', async () => {
    const dir = tempDir();
    writeFileSync(join(dir, 'a.png'), png(300, 200));
    const error = await thrown(() => readImageFile(join(dir, 'a.png'), { maxPixels: 50_000 }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(
      /a\.png: the PNG image is 300×200 = 60,000 pixels, more than the limit of 50,000/,
    );
    expect((await readImageFile(join(dir, 'a.png'), { maxPixels: 60_000 })).width).toBe(300);
  });
});

describe('image folders', () => {
  const tempDir = useTempDir();

  function classes(dir: string): void {
    mkdirSync(join(dir, 'cat'), { recursive: true });
    mkdirSync(join(dir, 'dog'), { recursive: true });
    writeFileSync(join(dir, 'cat', '1.png'), png(6, 4, 10));
    writeFileSync(join(dir, 'dog', '1.png'), png(6, 4, 200));
  }

  it('refuses a FIFO among the images instead of blocking forever', { timeout: 10_000 }, async () => {
    const dir = tempDir();
    classes(dir);
    mkfifo(join(dir, 'cat', '2.png'));
    const error = await thrown(() => readImageFolder(dir));
    expect(error.code).toBe('NOT_A_FILE');
    expect(error.file).toBe(join(dir, 'cat', '2.png'));
    const { set, skipped } = await readImageFolder(dir, { skipInvalid: true });
    expect(set.count).toBe(2);
    expect(skipped.map((s) => s.file)).toEqual([join(dir, 'cat', '2.png')]);
  });

  it('reads each folder once: two self-links are a cycle, not 2^40 paths', { timeout: 10_000 }, async () => {
    const dir = tempDir();
    classes(dir);
    symlinkSync('.', join(dir, 'cat', 'a'));
    symlinkSync('.', join(dir, 'cat', 'b'));
    const error = await thrown(() => readImageFolder(dir));
    expect(error.code).toBe('LINK_CYCLE');
    expect(error.message).toBe(
      `${join(dir, 'cat', 'a')}: links to the folder already read as ${join(dir, 'cat')}; following it would ` +
        'read the same images again (or loop forever). Remove the link, or replace it with a copy.',
    );
    const { set, skipped } = await readImageFolder(dir, { skipInvalid: true });
    expect(set.count).toBe(2);
    expect(skipped.map((s) => s.file)).toEqual([join(dir, 'cat', 'a'), join(dir, 'cat', 'b')]);
    // A link to a folder outside is followed (once).
    const outside = tempDir();
    writeFileSync(join(outside, 'x.png'), png(6, 4, 50));
    symlinkSync(outside, join(dir, 'dog', 'more'));
    expect((await readImageFolder(dir, { skipInvalid: true })).set.count).toBe(3);
  });

  it('refuses a link to /dev/zero among the images', { timeout: 10_000 }, async () => {
    const dir = tempDir();
    classes(dir);
    symlinkSync('/dev/zero', join(dir, 'dog', 'zero.png'));
    const error = await thrown(() => readImageFolder(dir));
    expect(error.code).toBe('NOT_A_FILE');
    expect(error.message).toMatch(/dog\/zero\.png: is a character device, not a regular file/);
  });

  it('applies maxPixels per image and maxBytes to the whole set before allocating it', async () => {
    const dir = tempDir();
    classes(dir);
    writeFileSync(join(dir, 'dog', '2.png'), png(400, 300));
    const big = await thrown(() => readImageFolder(dir, { maxPixels: 100_000 }));
    expect(big.code).toBe('TOO_LARGE');
    expect(big.file).toBe(join(dir, 'dog', '2.png'));
    // Three images of the first one's size are 3 · 4 · 6 = 72 bytes; asked for at 100×100: 30 000.
    const set = await thrown(() => readImageFolder(dir, { height: 100, width: 100, maxBytes: 20_000 }));
    expect(set.code).toBe('TOO_LARGE');
    expect(set.message).toBe(
      `${dir}: 3 images of 100×100×1 take 29.3 KiB, more than the limit of 19.5 KiB. If the data is what you ` +
        'expect, raise the limit (option maxBytes; gruvision: --max-input-size).',
    );
    const loaded = await thrown(() => loadDataset(`folder:${dir}`, { maxPixels: 100_000 }));
    expect(loaded.code).toBe('TOO_LARGE');
  });
});
