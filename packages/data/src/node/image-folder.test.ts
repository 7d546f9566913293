import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { readImageFolder } from './image-folder';
import { thrown, useTempDir } from './test-helpers';

/** A w×h gray PNG filled with `value`. */
function png(value: number, width = 6, height = 4, channels = 1): Uint8Array {
  return encodePng({
    width,
    height,
    data: new Uint8Array(width * height * channels).fill(value),
    channels,
    depth: 8,
  });
}

/** A w×h JPEG filled with one gray `value` (high quality, so decoding gives value ± 2). */
function jpeg(value: number, width = 6, height = 4): Uint8Array {
  const data = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) data.set([value, value, value, 255], i * 4);
  return new Uint8Array(encodeJpeg({ width, height, data }, 100).data);
}

function write(path: string, bytes: Uint8Array | string): void {
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
}

describe('readImageFolder', () => {
  const tempDir = useTempDir();

  it('loads PNG and JPEG files with classes sorted by name', async () => {
    const dir = tempDir();
    write(join(dir, 'zebra', 'b.png'), png(200));
    write(join(dir, 'zebra', 'a.jpg'), jpeg(100));
    write(join(dir, 'Ant', '1.png'), png(10));
    write(join(dir, 'cat', 'x.jpeg'), jpeg(50));
    write(join(dir, 'cat', 'nested', 'y.png'), png(60));
    write(join(dir, 'cat', '.DS_Store'), 'junk');
    write(join(dir, 'README.txt'), 'root files are ignored');
    mkdirSync(join(dir, '.hidden'));
    const { set, skipped } = await readImageFolder(dir);
    expect(skipped).toEqual([]);
    expect(set.classNames).toEqual(['Ant', 'cat', 'zebra']); // code-unit order: uppercase first
    expect(set).toMatchObject({ count: 5, height: 4, width: 6, channels: 1 });
    expect(Array.from(set.labels)).toEqual([0, 1, 1, 2, 2]);
    // Files sorted by path within a class: cat/nested/y.png before cat/x.jpeg, zebra/a.jpg before b.png.
    const firstPixel = Array.from({ length: 5 }, (_, i) => set.pixels[i * 24]!);
    expect(firstPixel[0]).toBe(10);
    expect(firstPixel[1]).toBe(60);
    expect(Math.abs(firstPixel[2]! - 50)).toBeLessThanOrEqual(2);
    expect(Math.abs(firstPixel[3]! - 100)).toBeLessThanOrEqual(2);
    expect(firstPixel[4]).toBe(200);
  });

  it('converts every image to the requested size and channels', async () => {
    const dir = tempDir();
    write(join(dir, 'a', '1.png'), png(255, 8, 8, 3));
    write(join(dir, 'b', '1.jpg'), jpeg(0, 16, 4));
    const { set } = await readImageFolder(dir, { height: 2, width: 3, channels: 1 });
    expect(set).toMatchObject({ count: 2, height: 2, width: 3, channels: 1 });
    expect(Array.from(set.pixels.subarray(0, 6))).toEqual([255, 255, 255, 255, 255, 255]);
    expect(Math.max(...set.pixels.subarray(6))).toBeLessThanOrEqual(2);
    const rgb = await readImageFolder(dir);
    expect(rgb.set).toMatchObject({ height: 8, width: 8, channels: 3 }); // from the first image
  });

  it("prepare replaces the plain resize: each image goes through it, in file order, and must come back in the set's shape", async () => {
    const dir = tempDir();
    write(join(dir, 'a', '1.png'), png(10, 6, 4));
    write(join(dir, 'b', '1.png'), png(30, 3, 5));
    const seen: string[] = [];
    // The one-pixel "preparation" writes 255 - value, so a plain resize (value kept) cannot pass.
    const { set } = await readImageFolder(dir, {
      height: 1,
      width: 1,
      channels: 1,
      prepare: (image, file) => {
        seen.push(`${file.slice(dir.length)} ${image.height}×${image.width}`);
        return { height: 1, width: 1, channels: 1, pixels: Uint8Array.of(255 - image.pixels[0]!) };
      },
    });
    expect(seen).toEqual(['/a/1.png 4×6', '/b/1.png 5×3']);
    expect(Array.from(set.pixels)).toEqual([245, 225]);
    expect(Array.from(set.labels)).toEqual([0, 1]);
    const wrong = await thrown(() =>
      readImageFolder(dir, { height: 2, width: 2, channels: 1, prepare: (image) => image }),
    );
    expect(wrong).toMatchObject({ code: 'INVALID_ARGUMENT', file: join(dir, 'a', '1.png') });
    expect(wrong.message).toContain('prepare returned a 4×6×1 image for a set of 2×2×1');
    const noShape = await thrown(() => readImageFolder(dir, { prepare: (image) => image }));
    expect(noShape).toMatchObject({ code: 'INVALID_ARGUMENT' });
    expect(noShape.message).toContain('prepare needs the target height, width and channels');
  });

  it('names a missing folder, an empty folder and a class folder with no images', async () => {
    const dir = tempDir();
    const missing = join(dir, 'nope');
    const notFound = await thrown(() => readImageFolder(missing));
    expect(notFound.code).toBe('NOT_FOUND');
    expect(notFound.message).toBe(
      `${missing}: folder not found. Check the path. An image folder holds one sub-folder per class, each with ` +
        'its PNG or JPEG images (dir/cat/001.png).',
    );
    const empty = await thrown(() => readImageFolder(dir));
    expect(empty.code).toBe('EMPTY');
    expect(empty.message).toBe(
      `${dir}: the folder has no class sub-folders. An image folder holds one sub-folder per class, each with ` +
        'its PNG or JPEG images (dir/cat/001.png).',
    );
    write(join(dir, 'cat', '1.png'), png(1));
    mkdirSync(join(dir, 'dog'));
    const noImages = await thrown(() => readImageFolder(dir));
    expect(noImages.code).toBe('EMPTY');
    expect(noImages.message).toBe(
      `${join(dir, 'dog')}: class folder 'dog' has no images. Add PNG or JPEG files to it, or remove the folder.`,
    );
    write(join(dir, 'file.png'), png(1));
    const isFile = await thrown(() => readImageFolder(join(dir, 'file.png')));
    expect(isFile.message).toMatch(
      /file\.png: is a file, not a folder\. An image folder holds one sub-folder per class/,
    );
  });

  it('names a corrupt PNG and a non-image file, and skipInvalid reports them', async () => {
    const dir = tempDir();
    write(join(dir, 'cat', '1.png'), png(1));
    const good = png(2);
    write(join(dir, 'cat', '2.png'), good.subarray(0, good.length - 20));
    write(join(dir, 'dog', '1.png'), png(3));
    write(join(dir, 'dog', 'notes.txt'), 'these are notes');
    const corrupt = await thrown(() => readImageFolder(dir));
    expect(corrupt.code).toBe('DECODE_FAILED');
    expect(corrupt.file).toBe(join(dir, 'cat', '2.png'));
    expect(corrupt.message).toMatch(
      new RegExp(
        `^${join(dir, 'cat', '2.png')}: the PNG file is damaged \\(.+\\)\\. Re-export or replace ` +
          'the file, or skip it \\(readImageFolder: skipInvalid: true\\)\\.$',
      ),
    );
    const { set, skipped } = await readImageFolder(dir, { skipInvalid: true });
    expect(set.count).toBe(2);
    expect(Array.from(set.labels)).toEqual([0, 1]);
    expect(skipped.map((s) => s.file)).toEqual([join(dir, 'cat', '2.png'), join(dir, 'dog', 'notes.txt')]);
    expect(skipped[1]!.reason).toBe(
      `${join(dir, 'dog', 'notes.txt')}: not a PNG or JPEG image (it starts with bytes 74 68 65 73 65 20 61 72). ` +
        'Convert it to PNG or JPEG, or remove it (readImageFolder skips such files with skipInvalid: true).',
    );
  });

  it('names a non-image file in a class folder', async () => {
    const dir = tempDir();
    write(join(dir, 'cat', '1.png'), png(1));
    write(join(dir, 'dog', '1.png'), png(3));
    write(join(dir, 'dog', 'labels.csv'), 'file,label');
    const error = await thrown(() => readImageFolder(dir));
    expect(error.code).toBe('UNSUPPORTED_FORMAT');
    expect(error.file).toBe(join(dir, 'dog', 'labels.csv'));
    expect(error.message).toBe(
      `${join(dir, 'dog', 'labels.csv')}: not a PNG or JPEG image (it starts with bytes 66 69 6c 65 2c 6c 61 62). ` +
        'Convert it to PNG or JPEG, or remove it (readImageFolder skips such files with skipInvalid: true).',
    );
  });

  it('refuses a class whose every file was skipped', async () => {
    const dir = tempDir();
    write(join(dir, 'cat', '1.png'), png(1));
    write(join(dir, 'dog', 'a.txt'), 'text');
    const error = await thrown(() => readImageFolder(dir, { skipInvalid: true }));
    expect(error.code).toBe('EMPTY');
    expect(error.message).toBe(
      `${join(dir, 'dog')}: none of the 1 file(s) in class folder 'dog' is a readable image (all skipped). Add PNG ` +
        'or JPEG files to it, or remove the folder.',
    );
  });

  it('maps folders onto given class names and refuses unknown ones', async () => {
    const dir = tempDir();
    write(join(dir, 'dog', '1.png'), png(1));
    const { set } = await readImageFolder(dir, { classNames: ['cat', 'dog'] });
    expect(Array.from(set.labels)).toEqual([1]);
    expect(set.classNames).toEqual(['cat', 'dog']);
    write(join(dir, 'emu', '1.png'), png(1));
    expect((await thrown(() => readImageFolder(dir, { classNames: ['cat', 'dog'] }))).message).toBe(
      `${join(dir, 'emu')}: class 'emu' is not one of the known classes (cat, dog). Remove the folder, or add the ` +
        'class to the training folder too.',
    );
  });
});
