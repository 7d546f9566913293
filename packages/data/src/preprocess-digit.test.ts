import { describe, expect, it } from 'vitest';
import { preprocessDigit } from './preprocess-digit';
import { MNIST_STROKE, strokeWidth } from './preprocess-digit-ink';
import type { RawImage } from './raw-image';

/** A dark "7"-ish stroke on light paper, off-centre in a 60×50 RGBA picture. */
function darkOnLightDigit(): RawImage {
  const width = 60;
  const height = 50;
  const pixels = new Uint8Array(width * height * 4);
  for (let i = 0; i < width * height; i++) pixels.set([235, 230, 225, 255], i * 4);
  const ink = (x: number, y: number) => pixels.set([20, 25, 30, 255], (y * width + x) * 4);
  for (let x = 8; x < 30; x++) for (let y = 5; y < 9; y++) ink(x, y); // top bar
  for (let y = 9; y < 45; y++) for (let x = 0; x < 4; x++) ink(Math.round(29 - (y - 9) * 0.4) + x, y); // diagonal
  return { width, height, channels: 4, pixels };
}

function centreOfMass(image: RawImage): { x: number; y: number; mass: number } {
  let mass = 0;
  let x = 0;
  let y = 0;
  for (let row = 0; row < image.height; row++) {
    for (let col = 0; col < image.width; col++) {
      const v = image.pixels[row * image.width + col]!;
      mass += v;
      x += v * col;
      y += v * row;
    }
  }
  return { x: x / mass, y: y / mass, mass };
}

function inkBox(image: RawImage) {
  let x0 = Infinity;
  let x1 = -1;
  let y0 = Infinity;
  let y1 = -1;
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      if (image.pixels[y * image.width + x]! > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
    }
  }
  return { width: x1 - x0 + 1, height: y1 - y0 + 1, x0, y0, x1, y1 };
}

/**
 * The ink of `out` is `width` wide and 20 tall (a tall digit fitted to the 20×20 box), and its centre
 * of mass in pixel-index coordinates (Σ v·x / Σ v, x = 0…27) is within 0.5 px of (14, 14), MNIST's own
 * convention.
 */
function expectFittedAndCentred(out: RawImage, width: number): void {
  const box = inkBox(out);
  expect(box.height).toBe(20);
  expect(box.width).toBe(width);
  const com = centreOfMass(out);
  expect(Math.abs(com.x - 14)).toBeLessThanOrEqual(0.5);
  expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(0.5);
}

describe('preprocessDigit', () => {
  it('turns a dark-on-light digit into a centred light-on-dark 28×28 image', () => {
    const out = preprocessDigit(darkOnLightDigit());
    expect(out).toMatchObject({ width: 28, height: 28, channels: 1 });
    // Light on dark: the corners are background (0) and the strongest ink is 255.
    expect([out.pixels[0], out.pixels[27], out.pixels[27 * 28], out.pixels[28 * 28 - 1]]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(Math.max(...out.pixels)).toBe(255);
    // The ink box is 25 wide × 40 tall (x 8…32, y 5…44): fitted to 20 rows, width round(25 · 0.5) = 13.
    expectFittedAndCentred(out, 13);
  });

  it('gives the same picture for light-on-dark input without inverting it', () => {
    const dark = darkOnLightDigit();
    const inverted = { ...dark, pixels: dark.pixels.map((v, i) => (i % 4 === 3 ? v : 255 - v)) };
    const a = preprocessDigit(dark);
    const b = preprocessDigit(inverted);
    let maxDiff = 0;
    for (let i = 0; i < a.pixels.length; i++)
      maxDiff = Math.max(maxDiff, Math.abs(a.pixels[i]! - b.pixels[i]!));
    expect(maxDiff).toBeLessThanOrEqual(2);
  });

  it('treats a transparent canvas with black strokes as ink on paper', () => {
    const width = 40;
    const pixels = new Uint8Array(width * width * 4); // transparent black
    for (let y = 10; y < 30; y++)
      for (let x = 18; x < 22; x++) pixels.set([0, 0, 0, 255], (y * width + x) * 4);
    const out = preprocessDigit({ width, height: width, channels: 4, pixels });
    expectFittedAndCentred(out, 4);
  });

  it('gives a blank 28×28 image, not NaN, for blank or flat input', () => {
    for (const value of [0, 255, 128]) {
      const out = preprocessDigit({
        width: 10,
        height: 12,
        channels: 1,
        pixels: new Uint8Array(120).fill(value),
      });
      expect(out).toMatchObject({ width: 28, height: 28, channels: 1 });
      expect(out.pixels.every((v) => v === 0)).toBe(true);
    }
    const single = preprocessDigit({ width: 1, height: 1, channels: 1, pixels: Uint8Array.from([255]) });
    expect(single.pixels.every((v) => v === 0)).toBe(true);
  });

  it('handles a one-pixel dot', () => {
    const pixels = new Uint8Array(100).fill(255);
    pixels[3 * 10 + 7] = 0;
    const out = preprocessDigit({ width: 10, height: 10, channels: 1, pixels });
    expect(out.pixels.filter((v) => v > 0).length).toBe(400); // the dot, blown up to 20×20
    // Its centre of mass is at 9.5 inside the box; offset round(14 − 9.5) = 5 puts it at 14.5.
    const com = centreOfMass(out);
    expect([com.x, com.y]).toEqual([14.5, 14.5]);
  });

  it('rejects bad options with the fix', () => {
    const image = { width: 2, height: 2, channels: 1, pixels: new Uint8Array(4) };
    expect(() => preprocessDigit(image, { boxSize: 30 })).toThrow(
      'preprocessDigit: boxSize 30 and size 28 must be whole numbers with 1 ≤ boxSize ≤ size.',
    );
  });
});

/** The picture with each pixel's colour multiplied by `light(x, y)` (alpha untouched). */
function lit(image: RawImage, light: (x: number, y: number) => number): RawImage {
  const pixels = image.pixels.slice();
  for (let y = 0; y < image.height; y++) {
    for (let x = 0; x < image.width; x++) {
      for (let c = 0; c < 3; c++) {
        const i = (y * image.width + x) * 4 + c;
        pixels[i] = Math.round(pixels[i]! * light(x, y));
      }
    }
  }
  return { ...image, pixels };
}

describe('preprocessDigit in uneven light', () => {
  const flat = preprocessDigit(darkOnLightDigit());
  const meanDiff = (a: RawImage, b: RawImage) =>
    a.pixels.reduce((sum, v, i) => sum + Math.abs(v - b.pixels[i]!), 0) / a.pixels.length;

  it('reads a vignetted photo like the flat picture: corners at 20 % of the centre’s light', () => {
    // light = 1 − 0.8 · r², r² = (u² + v²) / 2 with u, v = −1 … 1 across the picture: 0.2 in the
    // corners, 0.6 in the middle of each edge (paper 141, below mid-gray, on three quarters of the border).
    const vignetted = lit(
      darkOnLightDigit(),
      (x, y) => 1 - (0.8 * (((x - 29.5) / 29.5) ** 2 + ((y - 24.5) / 24.5) ** 2)) / 2,
    );
    const out = preprocessDigit(vignetted);
    // the same 25 × 40 ink box → 13 × 20, as in the flat picture (not the whole picture's box)
    expect(inkBox(out)).toMatchObject({ width: 13, height: 20 });
    expect([out.pixels[0], out.pixels[27], out.pixels[27 * 28], out.pixels[28 * 28 - 1]]).toEqual([
      0, 0, 0, 0,
    ]);
    expect(meanDiff(out, flat)).toBeLessThan(8); // the ink is weaker where the light is
  });

  it('reads a light-on-dark board lit from one side (light 0.3 → 1 across it) like the flat picture', () => {
    const dark = darkOnLightDigit();
    const board = { ...dark, pixels: dark.pixels.map((v, i) => (i % 4 === 3 ? v : 255 - v)) };
    const out = preprocessDigit(lit(board, (x) => 0.3 + (0.7 * x) / 59));
    expect(inkBox(out)).toMatchObject({ width: 13, height: 20 });
    expect(meanDiff(out, flat)).toBeLessThan(8);
  });

  it('ignores specks of dirt away from the digit: the same picture as without them', () => {
    const dirty = darkOnLightDigit();
    for (const [x, y] of [
      [55, 2],
      [57, 46],
      [2, 47],
    ] as const) {
      dirty.pixels.set([60, 60, 60, 255], (y * 60 + x) * 4);
    }
    // before, the specks widened the ink box to the whole picture; each is < 1 % of the ink
    expect([...preprocessDigit(dirty).pixels]).toEqual([...flat.pixels]);
  });

  it('gives a hairline in a large picture MNIST-wide strokes: at least MNIST’s 1st percentile', () => {
    // a fine pen: a 2-pixel "7" 150 pixels tall in 200 × 200 would be 0.27 pixels wide in the box
    const size = 200;
    const pixels = new Uint8Array(size * size).fill(240);
    for (let x = 60; x < 140; x++)
      pixels.fill(30, 25 * size + x, 25 * size + x + 1).fill(30, 26 * size + x, 26 * size + x + 1);
    for (let y = 25; y < 175; y++)
      pixels.fill(
        30,
        y * size + 139 - Math.round((y - 25) * 0.4),
        y * size + 141 - Math.round((y - 25) * 0.4),
      );
    const out = preprocessDigit({ width: size, height: size, channels: 1, pixels });
    let max = 0;
    for (const v of out.pixels) max = Math.max(max, v);
    const ink = Float32Array.from(out.pixels, (v) => (v > 0.1 * max ? v : 0));
    expect(max).toBe(255);
    expect(strokeWidth(ink, 28, 28)).toBeGreaterThanOrEqual(MNIST_STROKE.thin);
  });
});
