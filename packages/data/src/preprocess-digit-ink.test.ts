import { describe, expect, it } from 'vitest';
import {
  dilateDisc,
  dropSpecks,
  MNIST_STROKE,
  strokeWidth,
  thickenThinStrokes,
} from './preprocess-digit-ink';

/** A `width × height` picture with the rectangles [x0, x1) × [y0, y1) filled with `value`. */
function picture(
  width: number,
  height: number,
  boxes: [number, number, number, number, number][],
): Float32Array {
  const out = new Float32Array(width * height);
  for (const [x0, x1, y0, y1, value] of boxes) {
    for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) out[y * width + x] = value;
  }
  return out;
}

describe('strokeWidth', () => {
  it('is 2 · area / perimeter: a 3 × 20 bar has area 60 and perimeter 46', () => {
    expect(strokeWidth(picture(30, 30, [[5, 8, 4, 24, 200]]), 30, 30)).toBeCloseTo(120 / 46, 12);
    // the picture's edge counts as not-ink: the same bar against the edge has the same width
    expect(strokeWidth(picture(3, 20, [[0, 3, 0, 20, 200]]), 3, 20)).toBeCloseTo(120 / 46, 12);
    expect(strokeWidth(new Float32Array(9), 3, 3)).toBe(0);
  });
});

describe('dropSpecks', () => {
  it('drops 8-connected pieces with less than 1 % of the ink mass, keeps the rest', () => {
    // block 10×10 of 255 = 25 500; a 2×2 of 255 = 1 020; a lone 100; total 26 620, 1 % = 266.2.
    // The lone pixel touching the block's corner diagonally belongs to the block.
    const ink = picture(40, 40, [
      [5, 15, 5, 15, 255],
      [30, 32, 30, 32, 255],
      [35, 36, 5, 6, 100],
      [15, 16, 15, 16, 100],
    ]);
    const before = Float32Array.from(ink);
    expect(dropSpecks(ink, 40, 40)).toBe(1);
    expect(ink[5 * 40 + 35]).toBe(0);
    before[5 * 40 + 35] = 0;
    expect([...ink]).toEqual([...before]);
  });
});

describe('dilateDisc', () => {
  it('dilate by the disc dx² + dy² ≤ r² onto a picture padded by r', () => {
    const out = dilateDisc(picture(1, 1, [[0, 1, 0, 1, 7]]), 1, 1, 1);
    expect(out).toMatchObject({ width: 3, height: 3 });
    expect([...out.pixels]).toEqual([0, 7, 0, 7, 7, 7, 0, 7, 0]);
  });
});

describe('thickenThinStrokes', () => {
  it('keeps a digit whose strokes are as wide as MNIST’s, or wider', () => {
    // a 4 × 40 bar: width 2·160/88 = 3.64, × 20/40 = 1.82 in the box, above 1.71
    const crop = picture(4, 40, [[0, 4, 0, 40, 255]]);
    expect(thickenThinStrokes(crop, 4, 40, 20).pixels).toBe(crop);
    const bold = picture(12, 40, [[0, 12, 0, 40, 255]]);
    expect(thickenThinStrokes(bold, 12, 40, 20).pixels).toBe(bold);
  });

  it('dilates a hairline to MNIST’s median width', () => {
    // a 2 × 40 bar: width 2·80/84 = 1.905, × 0.5 = 0.952 < 1.71; r = round((2.6 − 0.952) / 0.5 / 2) = 2
    const out = thickenThinStrokes(picture(2, 40, [[0, 2, 0, 40, 120]]), 2, 40, 20);
    expect(out).toMatchObject({ width: 6, height: 44 });
    expect(Math.max(...out.pixels)).toBe(255);
    // the middle row is 2 + 2·2 = 6 wide, all at full strength
    expect([...out.pixels.slice(22 * 6, 23 * 6)]).toEqual([255, 255, 255, 255, 255, 255]);
    expect(MNIST_STROKE.thin).toBeGreaterThan(0.952);
  });

  it('shrinks a large picture to 4 × the box before dilating it', () => {
    // a 4 × 400 bar: width 2·1600/808 = 3.96, × 20/400 = 0.198; shrunk by 80/400 to 1 × 80 (f = 0.2),
    // where the box scale is 0.25: r = round((2.6 − 0.198) / 0.25 / 2) = round(4.80) = 5
    const out = thickenThinStrokes(picture(4, 400, [[0, 4, 0, 400, 255]]), 4, 400, 20);
    expect(out).toMatchObject({ width: 1 + 10, height: 80 + 10 });
  });
});
