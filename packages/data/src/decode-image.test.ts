import { encode as encodePng } from 'fast-png';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage, detectImageFormat } from './decode-image';

function gradient(width: number, height: number, channels: number): Uint8Array {
  const out = new Uint8Array(width * height * channels);
  for (let i = 0; i < out.length; i++) out[i] = (i * 13) % 256;
  return out;
}

describe('decodeImage', () => {
  it('decodes 8-bit gray, RGB and RGBA PNGs exactly', () => {
    for (const channels of [1, 2, 3, 4]) {
      const pixels = gradient(5, 3, channels);
      const image = decodeImage(
        encodePng({ width: 5, height: 3, data: pixels, channels, depth: 8 }),
        'a.png',
      );
      expect(image).toMatchObject({ width: 5, height: 3, channels });
      expect(Array.from(image.pixels)).toEqual(Array.from(pixels));
    }
  });

  it('brings 16-bit and 1-bit PNGs to 8 bits', () => {
    const wide = Uint16Array.from([0, 0x1234, 0xffff, 0x8000]);
    const image16 = decodeImage(encodePng({ width: 2, height: 2, data: wide, channels: 1, depth: 16 }));
    expect(Array.from(image16.pixels)).toEqual([0, 0x12, 0xff, 0x80]);
    // 1-bit gray, 10 px wide: rows are padded to 2 bytes.
    const packed = Uint8Array.from([0b10100000, 0b01000000, 0b11111111, 0b11000000]);
    const image1 = decodeImage(encodePng({ width: 10, height: 2, data: packed, channels: 1, depth: 1 }));
    expect(Array.from(image1.pixels)).toEqual([
      255, 0, 255, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255, 255,
    ]);
  });

  it('decodes a palette PNG to RGB', () => {
    const palette = [
      [255, 0, 0],
      [0, 0, 255],
    ];
    const png = encodePng({
      width: 2,
      height: 1,
      data: Uint8Array.from([0, 1]),
      channels: 1,
      depth: 8,
      palette,
    });
    const image = decodeImage(png);
    expect(image.channels).toBe(3);
    expect(Array.from(image.pixels)).toEqual([255, 0, 0, 0, 0, 255]);
  });

  it('decodes a JPEG to RGB within JPEG error', () => {
    const width = 16;
    const height = 8;
    const rgba = new Uint8Array(width * height * 4);
    for (let i = 0; i < width * height; i++) rgba.set([200, 100, 50, 255], i * 4);
    const jpeg = encodeJpeg({ width, height, data: rgba }, 95).data;
    const image = decodeImage(new Uint8Array(jpeg), 'photo.jpg');
    expect(image).toMatchObject({ width, height, channels: 3 });
    for (let i = 0; i < width * height; i++) {
      expect(Math.abs(image.pixels[i * 3]! - 200)).toBeLessThanOrEqual(3);
      expect(Math.abs(image.pixels[i * 3 + 1]! - 100)).toBeLessThanOrEqual(3);
      expect(Math.abs(image.pixels[i * 3 + 2]! - 50)).toBeLessThanOrEqual(3);
    }
  });

  it('names a corrupt PNG and the fix', () => {
    const png = encodePng({ width: 4, height: 4, data: gradient(4, 4, 1), channels: 1, depth: 8 });
    const corrupt = png.slice(0, 40);
    expect(() => decodeImage(corrupt, 'cats/1.png')).toThrow(
      /^cats\/1\.png: the PNG data is corrupt and cannot be decoded \(.+\)\. Re-export or replace the file, or skip it \(readImageFolder: skipInvalid: true\)\.$/,
    );
  });

  it('names a corrupt JPEG and the fix', () => {
    const rgba = new Uint8Array(16 * 16 * 4).fill(128);
    const jpeg = new Uint8Array(encodeJpeg({ width: 16, height: 16, data: rgba }, 90).data);
    expect(() => decodeImage(jpeg.subarray(0, 200), 'dogs/7.jpg')).toThrow(
      'dogs/7.jpg: the JPEG data is corrupt and cannot be decoded (unknown JPEG marker 0). Re-export or replace ' +
        'the file, or skip it (readImageFolder: skipInvalid: true).',
    );
  });

  it('names a non-image file and an unsupported format', () => {
    const text = new TextEncoder().encode('hello world');
    expect(() => decodeImage(text, 'notes.txt')).toThrow(
      'notes.txt: not a PNG or JPEG image (it starts with bytes 68 65 6c 6c 6f 20 77 6f). Convert it to PNG or ' +
        'JPEG, or remove it (readImageFolder skips such files with skipInvalid: true).',
    );
    expect(() => decodeImage(new Uint8Array(0), 'empty.png')).toThrow(
      /empty\.png: not a PNG or JPEG image \(it is empty\)/,
    );
    const gif = new TextEncoder().encode('GIF89a......');
    expect(detectImageFormat(gif)).toBe('gif');
    expect(() => decodeImage(gif, 'anim.gif')).toThrow(
      'anim.gif: GIF images are not supported; only PNG and JPEG are. Convert it to PNG or JPEG (readImageFolder ' +
        'skips such files with skipInvalid: true).',
    );
  });
});
