import { describe, expect, it } from 'vitest';
import {
  Augmenter,
  addNoise,
  affineImage,
  augmentsAnything,
  checkAugmentOptions,
  cutoutImage,
  displaceImage,
  elasticField,
  gaussianKernel,
  sampleBilinear,
  shiftImage,
} from './augment';
import { batches } from './batches';
import { GruDataError } from './errors';
import type { ImageSet } from './image-set';
import { SeededRandom } from './random';

const gray = (height: number, width: number) => ({ height, width, channels: 1 });

/** A `height × width` gray image with pixel (x, y) = f(x, y). */
function image(height: number, width: number, f: (x: number, y: number) => number): Uint8Array {
  const out = new Uint8Array(height * width);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) out[y * width + x] = f(x, y);
  return out;
}

describe('sampleBilinear', () => {
  it('interpolates between the four neighbours, with 0 outside the image', () => {
    const pixels = Uint8Array.from([0, 100, 200, 40]); // 2×2
    // top row at x = 0.25: 0·0.75 + 100·0.25 = 25; bottom: 200·0.75 + 40·0.25 = 160; halfway: 92.5.
    expect(sampleBilinear(pixels, 0, gray(2, 2), 0.25, 0.5, 0)).toBeCloseTo(92.5, 10);
    expect(sampleBilinear(pixels, 0, gray(2, 2), 1, 1, 0)).toBe(40);
    // Half of (1, 0) and the missing (2, 0).
    expect(sampleBilinear(pixels, 0, gray(2, 2), 1.5, 0, 0)).toBeCloseTo(50, 10);
    expect(sampleBilinear(pixels, 0, gray(2, 2), -1, -1, 0)).toBe(0);
  });
});

describe('affineImage', () => {
  it('rotating by 90° turns the image clockwise: out(x, y) = in(y, 2 − x) on 3×3', () => {
    const out = new Uint8Array(9);
    affineImage(out, Uint8Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9]), 0, gray(3, 3), {
      degrees: 90,
      scale: 1,
      dx: 0,
      dy: 0,
    });
    expect(Array.from(out)).toEqual([7, 4, 1, 8, 5, 2, 9, 6, 3]);
  });

  it('scaling by 2 about the centre samples c + (p − c)/2 (exact for a linear image)', () => {
    const pixels = image(5, 5, (x, y) => 10 * x + 20 * y);
    const out = new Uint8Array(25);
    affineImage(out, pixels, 0, gray(5, 5), { degrees: 0, scale: 2, dx: 0, dy: 0 });
    // Sample at (2 + (x − 2)/2, 2 + (y − 2)/2): 10·sx + 20·sy = 30 + 5x + 10y.
    expect(Array.from(out)).toEqual(Array.from(image(5, 5, (x, y) => 30 + 5 * x + 10 * y)));
  });

  it('a whole-pixel move with no rotation or scaling equals shiftImage', () => {
    const pixels = image(4, 5, (x, y) => 1 + x + 5 * y);
    const expected = new Uint8Array(20);
    shiftImage(expected, pixels, 0, 4, 5, 1, 2, -1);
    const out = new Uint8Array(20);
    affineImage(out, pixels, 0, gray(4, 5), { degrees: 0, scale: 1, dx: 2, dy: -1 });
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('reads images at an offset and keeps channels apart', () => {
    const rgb = Uint8Array.from([9, 9, 9, 10, 20, 30, 40, 50, 60]); // junk pixel, then a 1×2 RGB image
    const out = new Uint8Array(6);
    affineImage(out, rgb, 3, { height: 1, width: 2, channels: 3 }, { degrees: 180, scale: 1, dx: 0, dy: 0 });
    expect(Array.from(out)).toEqual([40, 50, 60, 10, 20, 30]);
    expect(() =>
      affineImage(out, rgb, 3, { height: 1, width: 2, channels: 3 }, { degrees: 0, scale: 0, dx: 0, dy: 0 }),
    ).toThrow('affineImage: scale 0 must be > 0.');
  });
});

describe('elastic distortion', () => {
  it('a zero displacement copies the image, a constant one equals a shift', () => {
    const pixels = image(4, 6, (x, y) => 3 + 7 * x + 40 * y);
    const out = new Uint8Array(24);
    displaceImage(out, pixels, 0, gray(4, 6), new Float32Array(24), new Float32Array(24));
    expect(Array.from(out)).toEqual(Array.from(pixels));
    // Sampling at x + 1 moves the content one pixel left.
    const shifted = new Uint8Array(24);
    shiftImage(shifted, pixels, 0, 4, 6, 1, -1, 0);
    displaceImage(out, pixels, 0, gray(4, 6), new Float32Array(24).fill(1), new Float32Array(24));
    expect(Array.from(out)).toEqual(Array.from(shifted));
  });

  it('the Gaussian kernel is exp(−i²/2σ²) normalized, over ±⌈3σ⌉', () => {
    const kernel = gaussianKernel(1.5);
    expect(kernel).toHaveLength(2 * 5 + 1);
    const raw = Array.from({ length: 11 }, (_, k) => Math.exp(-((k - 5) ** 2) / (2 * 1.5 ** 2)));
    const sum = raw.reduce((a, b) => a + b, 0);
    for (const [k, w] of raw.entries()) expect(kernel[k]).toBeCloseTo(w / sum, 6);
  });

  it('the field is alpha times the seeded uniform draws, smoothed (a tiny sigma leaves them as drawn)', () => {
    const field = elasticField(3, 4, 5, 0.1, new SeededRandom(7));
    const rng = new SeededRandom(7);
    for (let k = 0; k < 12; k++) expect(field[k]).toBeCloseTo(5 * (rng.next() * 2 - 1), 5);
    expect(elasticField(3, 4, 0, 4, new SeededRandom(7)).every((v) => v === 0)).toBe(true);
    // A wide kernel averages many draws: the field is much smaller than alpha.
    const smooth = elasticField(28, 28, 1, 4, new SeededRandom(1));
    expect(Math.max(...Array.from(smooth, Math.abs))).toBeLessThan(0.5);
  });
});

describe('noise and cutout', () => {
  it('adds round(255 · std · z) with z from Box–Muller on the seeded draws, clamped to bytes', () => {
    const pixels = Uint8Array.from([0, 128, 255, 60]);
    const noisy = pixels.slice();
    addNoise(noisy, 0.1, new SeededRandom(3));
    const rng = new SeededRandom(3);
    const expected = Array.from(pixels, (v) => {
      const u = 1 - rng.next();
      const w = rng.next();
      const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * w);
      return Math.min(255, Math.max(0, Math.round(v + 25.5 * z)));
    });
    expect(Array.from(noisy)).toEqual(expected);
  });

  it('noise has the asked standard deviation', () => {
    const pixels = new Uint8Array(20_000).fill(128);
    addNoise(pixels, 0.05, new SeededRandom(11));
    const values = Array.from(pixels, (v) => v - 128);
    const mean = values.reduce((a, b) => a + b, 0) / values.length;
    const std = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / values.length);
    expect(Math.abs(mean)).toBeLessThan(0.2);
    expect(std).toBeGreaterThan(12.75 * 0.97);
    expect(std).toBeLessThan(12.75 * 1.03);
  });

  it('cutout zeroes a size × size square, clipped at the edges, in every channel', () => {
    const inside = new Uint8Array(100).fill(255);
    cutoutImage(inside, gray(10, 10), 4, 5, 5);
    expect(inside.filter((v) => v === 0)).toHaveLength(16);
    for (let y = 0; y < 10; y++) {
      for (let x = 0; x < 10; x++)
        expect(inside[y * 10 + x]).toBe(x >= 3 && x <= 6 && y >= 3 && y <= 6 ? 0 : 255);
    }
    const corner = new Uint8Array(300).fill(255);
    cutoutImage(corner, { height: 10, width: 10, channels: 3 }, 4, 0, 0);
    // Top-left at (−2, −2): only the 2×2 inside the image, 3 channels each.
    expect(corner.filter((v) => v === 0)).toHaveLength(12);
    expect(Array.from(corner.subarray(0, 9))).toEqual([0, 0, 0, 0, 0, 0, 255, 255, 255]);
  });
});

describe('Augmenter', () => {
  const pixels = image(28, 28, (x, y) => (x >= 9 && x <= 18 && y >= 5 && y <= 22 ? 200 : 0));
  const all = { maxShift: 2, rotate: 10, scale: 0.1, elastic: 8, noise: 0.05, cutout: 6 };

  it('the same seed gives the same bytes, another seed other bytes', () => {
    const a = new Augmenter(gray(28, 28), all).augment(pixels, 0, new SeededRandom(5)).slice();
    const b = new Augmenter(gray(28, 28), all).augment(pixels, 0, new SeededRandom(5)).slice();
    const c = new Augmenter(gray(28, 28), all).augment(pixels, 0, new SeededRandom(6)).slice();
    expect(Array.from(a)).toEqual(Array.from(b));
    expect(Array.from(a)).not.toEqual(Array.from(c));
    expect(Array.from(a)).not.toEqual(Array.from(pixels));
  });

  it('a shift alone draws x then y and moves whole pixels (the stream batches always used)', () => {
    const out = new Augmenter(gray(28, 28), { maxShift: 3 }).augment(pixels, 0, new SeededRandom(9));
    const rng = new SeededRandom(9);
    const dx = rng.int(7) - 3;
    const dy = rng.int(7) - 3;
    const expected = new Uint8Array(784);
    shiftImage(expected, pixels, 0, 28, 28, 1, dx, dy);
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('rotation and scale draw uniform angles and factors and apply one transform', () => {
    const out = new Augmenter(gray(28, 28), { rotate: 15, scale: 0.2 }).augment(
      pixels,
      0,
      new SeededRandom(4),
    );
    const rng = new SeededRandom(4);
    const degrees = (rng.next() * 2 - 1) * 15;
    const scale = 1 + (rng.next() * 2 - 1) * 0.2;
    const expected = new Uint8Array(784);
    affineImage(expected, pixels, 0, gray(28, 28), { degrees, scale, dx: 0, dy: 0 });
    expect(Array.from(out)).toEqual(Array.from(expected));
  });

  it('cutout draws the centre uniformly and erases a size × size square', () => {
    const full = new Uint8Array(784).fill(255);
    const out = new Augmenter(gray(28, 28), { cutout: 6 }).augment(full, 0, new SeededRandom(2));
    const rng = new SeededRandom(2);
    const cx = rng.int(28);
    const cy = rng.int(28);
    const side = (c: number) => Math.min(28, c - 3 + 6) - Math.max(0, c - 3);
    expect(out.filter((v) => v === 0)).toHaveLength(side(cx) * side(cy));
  });

  it('is off without options and refuses values out of range with the key, the range and an example', () => {
    expect(augmentsAnything(undefined)).toBe(false);
    expect(augmentsAnything({ rotate: 0, noise: 0 })).toBe(false);
    expect(augmentsAnything({ cutout: 1 })).toBe(true);
    expect(() => checkAugmentOptions({ rotate: 200 })).toThrow(
      'augment.rotate 200 must be degrees in [0, 180], e.g. rotate: 10.',
    );
    expect(() => checkAugmentOptions({ scale: 1 }, 'fit: augment')).toThrow(
      'fit: augment.scale 1 must be a fraction in [0, 1), e.g. scale: 0.1.',
    );
    expect(() => checkAugmentOptions({ cutout: 2.5 })).toThrow('augment.cutout 2.5 must be a whole number');
    expect(() => checkAugmentOptions({ noise: Number.NaN })).toThrow('augment.noise NaN must be');
    expect(() => checkAugmentOptions({ elasticSigma: 0 })).toThrow(
      'augment.elasticSigma 0 must be pixels in (0, 64]',
    );
    try {
      checkAugmentOptions({ maxShift: -1 });
      expect.unreachable();
    } catch (error) {
      expect(GruDataError.isInstance(error) && error.code).toBe('INVALID_ARGUMENT');
    }
  });
});

describe('batches with augmentation', () => {
  const set: ImageSet = {
    count: 4,
    height: 8,
    width: 8,
    channels: 1,
    pixels: Uint8Array.from({ length: 256 }, (_, k) => (k * 37) % 256),
    labels: Int32Array.from([0, 1, 0, 1]),
    classNames: ['a', 'b'],
  };
  const view = { mode: 'rows' } as const;
  const run = (epoch: number, augment = { rotate: 20, elastic: 3, noise: 0.1, cutout: 3 }) =>
    Array.from([...batches(set, { batchSize: 4, view, seed: 1, epoch, augment })][0]!.x);

  it('is seeded by (seed, epoch) and changes the images', () => {
    expect(run(0)).toEqual(run(0));
    expect(run(0)).not.toEqual(run(1));
    const plain = Array.from([...batches(set, { batchSize: 4, view, seed: 1, epoch: 0 })][0]!.x);
    expect(run(0)).not.toEqual(plain);
    expect(run(0, {} as never)).toEqual(plain);
  });

  it('refuses bad values when called, before any batch', () => {
    expect(() => batches(set, { batchSize: 4, view, augment: { rotate: 500 } })).toThrow(
      'batches: augment.rotate 500 must be degrees in [0, 180], e.g. rotate: 10.',
    );
  });
});
