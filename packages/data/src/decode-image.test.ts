import { encode as encodePng } from 'fast-png';
import { zlibSync } from 'fflate';
import { encode as encodeJpeg } from 'jpeg-js';
import { describe, expect, it } from 'vitest';
import { decodeImage, detectImageFormat } from './decode-image';
import { GruDataError } from './errors';

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
      /^cats\/1\.png: the PNG file is damaged \(it ends before its IEND chunk; the file is truncated\)\. Re-export or replace the file, or skip it \(readImageFolder: skipInvalid: true\)\.$/,
    );
  });

  it('names a corrupt JPEG and the fix', () => {
    const rgba = new Uint8Array(16 * 16 * 4).fill(128);
    const jpeg = new Uint8Array(encodeJpeg({ width: 16, height: 16, data: rgba }, 90).data);
    expect(() => decodeImage(jpeg.subarray(0, 200), 'dogs/7.jpg')).toThrow(
      'dogs/7.jpg: the JPEG data is corrupt or truncated and cannot be decoded (decoder: unknown JPEG marker 0). Re-export or replace ' +
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

/** A PNG chunk: length, type, data, CRC-32 over type and data. */
function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function crc32(bytes: Uint8Array): number {
  let c = 0xffffffff;
  for (const b of bytes) {
    c ^= b;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  }
  return (c ^ 0xffffffff) >>> 0;
}

/** A PNG built chunk by chunk: IHDR(width, height, depth, colour type), then `body` chunks, then IEND. */
function craftPng(width: number, height: number, body: Uint8Array[], depth = 8, colorType = 0): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  const parts = [
    Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    ...body,
    chunk('IEND', new Uint8Array(0)),
  ];
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** Image rows of a gray 8-bit PNG: filter byte 0 then `width` samples, per row. */
function rows(width: number, height: number): Uint8Array {
  return new Uint8Array(height * (width + 1)).fill(0);
}

function caught(body: () => unknown): GruDataError {
  try {
    body();
  } catch (error) {
    expect(GruDataError.isInstance(error), String(error)).toBe(true);
    return error as GruDataError;
  }
  throw new Error('expected decodeImage to throw');
}

describe('decodeImage: inputs small on disk, huge to process', () => {
  it('refuses an image larger than maxPixels from its header, before decoding', () => {
    const png = encodePng({ width: 100, height: 80, data: gradient(100, 80, 1), channels: 1, depth: 8 });
    const error = caught(() => decodeImage(png, 'big.png', { maxPixels: 5000 }));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toBe(
      'big.png: the PNG image is 100×80 = 8,000 pixels, more than the limit of 5,000. Shrink it first, or ' +
        'raise the limit if you trust the file (option maxPixels; gruvision: --max-pixels).',
    );
    expect(decodeImage(png, 'big.png', { maxPixels: 8000 }).width).toBe(100);
    const jpeg = new Uint8Array(
      encodeJpeg({ width: 40, height: 30, data: new Uint8Array(40 * 30 * 4).fill(90) }, 90).data,
    );
    const jpegError = caught(() => decodeImage(jpeg, 'big.jpg', { maxPixels: 1000 }));
    expect(jpegError.code).toBe('TOO_LARGE');
    expect(jpegError.message).toMatch(
      /^big\.jpg: the JPEG image is 40×30 = 1,200 pixels, more than the limit of 1,000\./,
    );
  });

  it('refuses a 70000×70000 PNG header by default, without allocating its pixels', () => {
    // The old decoder tried new Uint8Array(4.9e9) and relayed "Invalid typed array length".
    const png = craftPng(70_000, 70_000, [chunk('IDAT', zlibSync(rows(4, 1)))]);
    const error = caught(() => decodeImage(png, 'huge.png'));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(
      /^huge\.png: the PNG image is 70000×70000 = 4,900,000,000 pixels, more than the limit of 50,000,000\./,
    );
  });

  it('refuses a JPEG whose frame header lies about its size', () => {
    const jpeg = new Uint8Array(
      encodeJpeg({ width: 16, height: 16, data: new Uint8Array(16 * 16 * 4).fill(128) }, 90).data,
    );
    const sof = jpeg.findIndex((b, i) => b === 0xff && jpeg[i + 1] === 0xc0);
    new DataView(jpeg.buffer).setUint16(sof + 5, 9000); // height
    new DataView(jpeg.buffer).setUint16(sof + 7, 9000); // width: 81 MP, under jpeg-js's own 100 MP cap
    const error = caught(() => decodeImage(jpeg, 'liar.jpg'));
    expect(error.code).toBe('TOO_LARGE');
    expect(error.message).toMatch(/^liar\.jpg: the JPEG image is 9000×9000 = 81,000,000 pixels/);
  });

  it('refuses PNG data that inflates past what the declared size needs (a zlib bomb)', () => {
    // 4×4 gray needs 20 bytes of rows; this IDAT inflates to 32 MiB.
    const bomb = zlibSync(new Uint8Array(32 * 1024 * 1024), { level: 9 });
    expect(bomb.length).toBeLessThan(64 * 1024);
    const error = caught(() => decodeImage(craftPng(4, 4, [chunk('IDAT', bomb)]), 'bomb.png'));
    expect(error.code).toBe('DECODE_FAILED');
    expect(error.message).toBe(
      'bomb.png: the PNG image data inflates to more than the 4×4 image needs (at most 104 bytes); the file is ' +
        'damaged or built to exhaust memory. Re-export or replace the file, or skip it (readImageFolder: ' +
        'skipInvalid: true).',
    );
    // The same image with honest data decodes.
    expect(decodeImage(craftPng(4, 4, [chunk('IDAT', zlibSync(rows(4, 4)))]), 'ok.png').height).toBe(4);
  });

  it('never returns an image without pixels or with more than 4 channels', () => {
    const empty = caught(() =>
      decodeImage(craftPng(0, 4, [chunk('IDAT', zlibSync(rows(0, 4)))]), 'zero.png'),
    );
    expect(empty.code).toBe('DECODE_FAILED');
    expect(empty.message).toMatch(/^zero\.png: the PNG header declares a 0×4 image, which has no pixels/);
    // A palette PNG with two tRNS chunks: fast-png appends alpha twice, making 5-value palette entries.
    const plte = chunk('PLTE', Uint8Array.from([255, 0, 0, 0, 0, 255]));
    const trns = chunk('tRNS', Uint8Array.from([128, 255]));
    const idat = chunk('IDAT', zlibSync(Uint8Array.from([0, 0, 1])));
    const five = caught(() => decodeImage(craftPng(2, 1, [plte, trns, trns, idat], 8, 3), 'five.png'));
    expect(five.code).toBe('DECODE_FAILED');
    expect(five.message).toMatch(
      /^five\.png: the PNG file decodes to an inconsistent image \(2×1, 5 channel\(s\)/,
    );
    // One tRNS is fine: RGBA.
    expect(decodeImage(craftPng(2, 1, [plte, trns, idat], 8, 3), 'four.png').channels).toBe(4);
  });

  it('wraps decoder failures in a message about the file, never the engine internals', () => {
    const png = encodePng({ width: 9, height: 7, data: gradient(9, 7, 3), channels: 3, depth: 8 });
    const jpeg = new Uint8Array(
      encodeJpeg({ width: 17, height: 9, data: new Uint8Array(17 * 9 * 4).fill(77) }, 80).data,
    );
    for (const [bytes, name] of [
      [png, 'cut.png'],
      [jpeg, 'cut.jpg'],
    ] as const) {
      for (let length = 3; length < bytes.length; length++) {
        let error: GruDataError | undefined;
        try {
          decodeImage(bytes.subarray(0, length), name);
        } catch (e) {
          error = e as GruDataError;
        }
        if (error === undefined) continue; // a JPEG cut inside its scan data may still decode
        expect(GruDataError.isInstance(error), `${name} cut at ${length}: ${error}`).toBe(true);
        expect(error.message.startsWith(`${name}: `)).toBe(true);
        expect(error.message).not.toMatch(/DataView|typed array|undefined|Cannot read|is not a/);
      }
    }
  });
});
