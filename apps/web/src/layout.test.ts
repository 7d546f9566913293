import { describe, expect, it } from 'vitest';
import { grayPixels, heatColor, heatmapPixels, heatRgb, rgbaToGray, rowAt } from './layout';

describe('heatColor', () => {
  it('goes from blue through white to red and clamps', () => {
    expect(heatColor(0, 0, 1)).toBe('rgb(0, 0, 255)');
    expect(heatColor(0.5, 0, 1)).toBe('rgb(255, 255, 255)');
    expect(heatColor(1, 0, 1)).toBe('rgb(255, 0, 0)');
    expect(heatColor(7, 0, 1)).toBe('rgb(255, 0, 0)');
  });

  it('maps tanh range [-1, 1] with 0 at white and shows NaN as white', () => {
    expect(heatRgb(0, -1, 1)).toEqual([255, 255, 255]);
    expect(heatRgb(-1, -1, 1)).toEqual([0, 0, 255]);
    expect(heatRgb(Number.NaN, -1, 1)).toEqual([255, 255, 255]);
  });
});

describe('heatmapPixels', () => {
  it('writes one opaque RGBA pixel per value, row-major', () => {
    const px = heatmapPixels(new Float32Array([0, 1, 0.5, 0]), 2, 2, 0, 1);
    expect(Array.from(px.subarray(0, 8))).toEqual([0, 0, 255, 255, 255, 0, 0, 255]);
    expect(Array.from(px.subarray(8, 12))).toEqual([255, 255, 255, 255]);
  });

  it('rejects a value count that does not match the grid', () => {
    expect(() => heatmapPixels(new Float32Array(5), 2, 3, 0, 1)).toThrow(
      'heatmap of 2×3 needs 6 values, got 5',
    );
  });
});

describe('grayPixels / rgbaToGray', () => {
  it('round-trips grayscale through RGBA', () => {
    const gray = new Uint8Array([0, 17, 128, 255]);
    expect(Array.from(rgbaToGray(grayPixels(gray)))).toEqual([0, 17, 128, 255]);
  });

  it('composites transparent pixels on black', () => {
    expect(Array.from(rgbaToGray(new Uint8Array([255, 255, 255, 0, 255, 255, 255, 128])))).toEqual([0, 128]);
  });
});

describe('rowAt', () => {
  it('maps a y offset to the row under it and -1 outside', () => {
    expect(rowAt(0, 168, 28)).toBe(0);
    expect(rowAt(167.9, 168, 28)).toBe(27);
    expect(rowAt(12, 168, 28)).toBe(2);
    expect(rowAt(-1, 168, 28)).toBe(-1);
    expect(rowAt(168, 168, 28)).toBe(-1);
  });
});
