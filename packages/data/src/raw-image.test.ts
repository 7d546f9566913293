import { describe, expect, it } from 'vitest';
import { fitImage, resizeImage, toChannels } from './raw-image';

describe('toChannels', () => {
  it('converts RGB to gray with BT.601 weights and back', () => {
    const rgb = { width: 2, height: 1, channels: 3, pixels: Uint8Array.from([255, 0, 0, 10, 20, 30]) };
    const gray = toChannels(rgb, 1);
    expect(Array.from(gray.pixels)).toEqual([76, 18]); // 0.299·255 = 76.2; 2.99 + 11.74 + 3.42 = 18.15
    expect(Array.from(toChannels(gray, 3).pixels)).toEqual([76, 76, 76, 18, 18, 18]);
    expect(Array.from(toChannels(gray, 4).pixels)).toEqual([76, 76, 76, 255, 18, 18, 18, 255]);
  });

  it('composites alpha over white by default, over the given background otherwise', () => {
    const rgba = { width: 2, height: 1, channels: 4, pixels: Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 255]) };
    expect(Array.from(toChannels(rgba, 1).pixels)).toEqual([255, 0]);
    expect(Array.from(toChannels(rgba, 1, { background: 0 }).pixels)).toEqual([0, 0]);
    const grayAlpha = { width: 1, height: 1, channels: 2, pixels: Uint8Array.from([0, 51]) };
    expect(Array.from(toChannels(grayAlpha, 1).pixels)).toEqual([204]);
  });

  it('names inconsistent input', () => {
    expect(() => toChannels({ width: 2, height: 2, channels: 4, pixels: new Uint8Array(12) }, 1)).toThrow(
      'image: pixels holds 12 bytes but 2×2×4 = 16. Pass HWC bytes, one per channel (a canvas ImageData has 4 channels).',
    );
  });
});

describe('resizeImage', () => {
  it('averages areas when shrinking', () => {
    const image = {
      width: 4,
      height: 2,
      channels: 1,
      pixels: Uint8Array.from([0, 100, 200, 40, 20, 60, 0, 0]),
    };
    const half = resizeImage(image, 2, 1);
    expect(Array.from(half.pixels)).toEqual([45, 60]); // (0+100+20+60)/4, (200+40+0+0)/4
    const third = resizeImage(
      { width: 3, height: 1, channels: 1, pixels: Uint8Array.from([30, 60, 90]) },
      2,
      1,
    );
    expect(Array.from(third.pixels)).toEqual([40, 80]); // (30 + 60/2)/1.5, (60/2 + 90)/1.5
  });

  it('interpolates bilinearly when enlarging, keeping constant images constant', () => {
    const image = { width: 2, height: 1, channels: 1, pixels: Uint8Array.from([0, 200]) };
    expect(Array.from(resizeImage(image, 4, 1).pixels)).toEqual([0, 50, 150, 200]);
    const flat = { width: 3, height: 3, channels: 3, pixels: new Uint8Array(27).fill(77) };
    expect(resizeImage(flat, 7, 5).pixels.every((v) => v === 77)).toBe(true);
  });

  it('fits size and channels in one call', () => {
    const rgba = { width: 8, height: 8, channels: 4, pixels: new Uint8Array(256).fill(255) };
    const fitted = fitImage(rgba, { height: 4, width: 2, channels: 1 });
    expect(fitted).toMatchObject({ width: 2, height: 4, channels: 1 });
    expect(fitted.pixels.every((v) => v === 255)).toBe(true);
    expect(() => resizeImage(rgba, 0, 3)).toThrow(
      'resizeImage: target size 0×3 must be positive whole numbers of pixels.',
    );
  });
});
