/**
 * The ink of a digit for {@link preprocessDigit}, made more like MNIST's: specks of noise away from the
 * digit are dropped (MNIST's digits were cut out of their forms as connected strokes), and strokes far
 * thinner than MNIST's are brought to MNIST's median width (a fine pen in a large picture becomes a
 * faint hairline in the 20×20 box).
 */
import { resampleFloat } from './raw-image';

/**
 * MNIST's stroke widths by {@link strokeWidth} (ink above a tenth of each digit's strongest, in the
 * 28×28 image, whose box is 20×20), over the first 5000 training digits: 1st percentile 1.71, median
 * 2.60 (5th 1.92, 95th 3.70, 99th 4.41).
 */
export const MNIST_STROKE = { thin: 1.71, median: 2.6 } as const;

/** A connected piece of ink with less than this share of the digit's ink mass is a speck. */
export const SPECK = 0.01;

/**
 * Sets to 0 every 8-connected component of ink (pixels > 0) whose ink mass (sum of values) is below
 * {@link SPECK} of the whole picture's, in place. Returns the number of components dropped.
 */
export function dropSpecks(ink: Float32Array, width: number, height: number): number {
  const label = new Int32Array(ink.length).fill(-1);
  const stack: number[] = [];
  const components: { mass: number; pixels: number[] }[] = [];
  let total = 0;
  for (let start = 0; start < ink.length; start++) {
    if (!(ink[start]! > 0) || label[start] !== -1) continue;
    const pixels: number[] = [];
    let mass = 0;
    label[start] = components.length;
    stack.push(start);
    while (stack.length > 0) {
      const i = stack.pop()!;
      pixels.push(i);
      mass += ink[i]!;
      const x = i % width;
      const y = (i - x) / width;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const xx = x + dx;
          const yy = y + dy;
          if (xx < 0 || yy < 0 || xx >= width || yy >= height) continue;
          const j = yy * width + xx;
          if (ink[j]! > 0 && label[j] === -1) {
            label[j] = components.length;
            stack.push(j);
          }
        }
      }
    }
    components.push({ mass, pixels });
    total += mass;
  }
  let dropped = 0;
  for (const c of components) {
    if (c.mass >= SPECK * total) continue;
    for (const i of c.pixels) ink[i] = 0;
    dropped++;
  }
  return dropped;
}

/**
 * The mean width of the strokes of a binary ink mask: `2 · area / perimeter`, the perimeter counted as
 * the pixel edges between ink and not-ink (the picture's outside counts as not-ink). A stroke of width
 * w and length L ≫ w has area w·L and perimeter about 2·L, so this is w. 0 for no ink.
 */
export function strokeWidth(ink: Float32Array, width: number, height: number): number {
  let area = 0;
  let perimeter = 0;
  const on = (x: number, y: number) => x >= 0 && y >= 0 && x < width && y < height && ink[y * width + x]! > 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!on(x, y)) continue;
      area++;
      if (!on(x - 1, y)) perimeter++;
      if (!on(x + 1, y)) perimeter++;
      if (!on(x, y - 1)) perimeter++;
      if (!on(x, y + 1)) perimeter++;
    }
  }
  return perimeter === 0 ? 0 : (2 * area) / perimeter;
}

/**
 * Grayscale dilation by a disc of radius `r` (the pixels with dx² + dy² ≤ r²), onto a picture padded by
 * `r` on every side: each output pixel is the largest input value within the disc around it.
 */
export function dilateDisc(
  src: Float32Array,
  width: number,
  height: number,
  r: number,
): { pixels: Float32Array; width: number; height: number } {
  const ow = width + 2 * r;
  const oh = height + 2 * r;
  const out = new Float32Array(ow * oh);
  const offsets: [number, number][] = [];
  for (let dy = -r; dy <= r; dy++) {
    for (let dx = -r; dx <= r; dx++) if (dx * dx + dy * dy <= r * r) offsets.push([dx, dy]);
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const v = src[y * width + x]!;
      if (v <= 0) continue;
      for (const [dx, dy] of offsets) {
        const i = (y + r + dy) * ow + x + r + dx;
        if (out[i]! < v) out[i] = v;
      }
    }
  }
  return { pixels: out, width: ow, height: oh };
}

/**
 * The cropped ink of a digit with its strokes at least as wide as nearly all of MNIST's once it is fitted
 * into a `boxSize` box. When its stroke width in the box, `strokeWidth(crop) · boxSize / longer side`,
 * is below {@link MNIST_STROKE}.thin (a fine pen in a large picture), the crop is shrunk (area
 * averaging) until its longer side is at most 4 × `boxSize`, dilated by the disc of radius
 * `round((median − width) / 2)` in that resolution (at least 1), which brings the strokes to MNIST's
 * median width, and stretched so its strongest ink is 255 again. Otherwise the crop is returned as it is.
 */
export function thickenThinStrokes(
  crop: Float32Array,
  width: number,
  height: number,
  boxSize: number,
): { pixels: Float32Array; width: number; height: number } {
  const scale = boxSize / Math.max(width, height);
  const stroke = strokeWidth(crop, width, height) * scale;
  if (stroke >= MNIST_STROKE.thin) return { pixels: crop, width, height };
  const f = Math.min(1, (4 * boxSize) / Math.max(width, height));
  const mw = Math.max(1, Math.round(width * f));
  const mh = Math.max(1, Math.round(height * f));
  const mid = f < 1 ? resampleFloat(crop, width, height, 1, mw, mh) : crop;
  const midScale = boxSize / Math.max(mw, mh);
  const r = Math.max(1, Math.round((MNIST_STROKE.median - stroke) / midScale / 2));
  const out = dilateDisc(mid, mw, mh, r);
  let max = 0;
  for (const v of out.pixels) if (v > max) max = v;
  if (max > 0) for (let i = 0; i < out.pixels.length; i++) out.pixels[i] = (out.pixels[i]! * 255) / max;
  return out;
}
