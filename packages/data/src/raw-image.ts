import { GruDataError } from './errors';

/** One decoded image: interleaved (HWC, row-major) 8-bit pixels. */
export interface RawImage {
  readonly width: number;
  readonly height: number;
  /** 1 gray, 2 gray + alpha, 3 RGB, 4 RGBA. */
  readonly channels: number;
  /** `height · width · channels` bytes. */
  readonly pixels: Uint8Array;
}

/** Throws `INVALID_ARGUMENT` when `image` is not a consistent `RawImage`. */
export function assertRawImage(image: RawImage, source = 'image'): void {
  const { width, height, channels, pixels } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `${source}: size ${width}×${height} is not a positive whole number of pixels. Pass a decoded image.`,
    );
  }
  if (!Number.isInteger(channels) || channels < 1 || channels > 4) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `${source}: ${channels} channels; an image has 1 (gray), 2 (gray+alpha), 3 (RGB) or 4 (RGBA).`,
    );
  }
  if (!(pixels instanceof Uint8Array) || pixels.length !== width * height * channels) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `${source}: pixels holds ${pixels?.length} bytes but ${height}×${width}×${channels} = ` +
        `${width * height * channels}. Pass HWC bytes, one per channel (a canvas ImageData has 4 channels).`,
    );
  }
}

/**
 * Converts an image to 1 (gray), 3 (RGB) or 4 (RGBA) channels. Gray comes from RGB by the ITU-R
 * BT.601 luma weights (0.299 R + 0.587 G + 0.114 B). Dropping alpha composites the image over a
 * `background` gray level (default 255, white — a transparent canvas with dark strokes becomes dark
 * ink on white paper).
 */
export function toChannels(
  image: RawImage,
  channels: 1 | 3 | 4,
  options: { background?: number } = {},
): RawImage {
  assertRawImage(image);
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new GruDataError('INVALID_ARGUMENT', `toChannels: ${channels} channels requested; use 1, 3 or 4.`);
  }
  if (image.channels === channels) return image;
  const background = options.background ?? 255;
  const n = image.width * image.height;
  const src = image.pixels;
  const c = image.channels;
  const out = new Uint8Array(n * channels);
  for (let i = 0; i < n; i++) {
    const s = i * c;
    let r: number;
    let g: number;
    let b: number;
    let a = 255;
    if (c <= 2) {
      r = g = b = src[s]!;
      if (c === 2) a = src[s + 1]!;
    } else {
      r = src[s]!;
      g = src[s + 1]!;
      b = src[s + 2]!;
      if (c === 4) a = src[s + 3]!;
    }
    const o = i * channels;
    if (channels === 4) {
      out[o] = r;
      out[o + 1] = g;
      out[o + 2] = b;
      out[o + 3] = a;
      continue;
    }
    if (a !== 255) {
      const t = a / 255;
      r = r * t + background * (1 - t);
      g = g * t + background * (1 - t);
      b = b * t + background * (1 - t);
    }
    if (channels === 1) {
      out[o] = Math.round(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      out[o] = Math.round(r);
      out[o + 1] = Math.round(g);
      out[o + 2] = Math.round(b);
    }
  }
  return { width: image.width, height: image.height, channels, pixels: out };
}

/** Per output index, the source indices and weights that make it (one axis of a separable resample). */
interface AxisWeights {
  readonly start: Int32Array;
  readonly length: Int32Array;
  readonly index: Int32Array;
  readonly weight: Float32Array;
}

/**
 * Weights of one axis: box filter (area averaging) when shrinking, so every source pixel counts;
 * bilinear with pixel centres aligned (`align_corners = false`) when enlarging.
 */
function axisWeights(srcSize: number, dstSize: number): AxisWeights {
  const scale = srcSize / dstSize;
  const start = new Int32Array(dstSize);
  const length = new Int32Array(dstSize);
  const index: number[] = [];
  const weight: number[] = [];
  for (let o = 0; o < dstSize; o++) {
    start[o] = index.length;
    if (scale > 1) {
      const lo = o * scale;
      const hi = lo + scale;
      for (let s = Math.floor(lo); s < Math.ceil(hi) && s < srcSize; s++) {
        const overlap = Math.min(hi, s + 1) - Math.max(lo, s);
        if (overlap > 1e-9) {
          index.push(s);
          weight.push(overlap / scale);
        }
      }
    } else {
      const centre = (o + 0.5) * scale - 0.5;
      const s0 = Math.floor(centre);
      const t = centre - s0;
      const a = Math.min(Math.max(s0, 0), srcSize - 1);
      const b = Math.min(Math.max(s0 + 1, 0), srcSize - 1);
      if (a === b || t === 0) {
        index.push(t === 0 ? a : b);
        weight.push(1);
      } else {
        index.push(a, b);
        weight.push(1 - t, t);
      }
    }
    length[o] = index.length - start[o]!;
  }
  return { start, length, index: Int32Array.from(index), weight: Float32Array.from(weight) };
}

/**
 * Resamples float HWC pixels (any channel count) to `dstWidth × dstHeight`: area averaging when
 * shrinking, bilinear when enlarging, separable (rows, then columns).
 */
export function resampleFloat(
  src: Float32Array,
  width: number,
  height: number,
  channels: number,
  dstWidth: number,
  dstHeight: number,
): Float32Array {
  const wx = axisWeights(width, dstWidth);
  const wy = axisWeights(height, dstHeight);
  const tmp = new Float32Array(height * dstWidth * channels); // [height, dstWidth, C]
  for (let y = 0; y < height; y++) {
    for (let ox = 0; ox < dstWidth; ox++) {
      const s = wx.start[ox]!;
      const e = s + wx.length[ox]!;
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = s; k < e; k++) acc += wx.weight[k]! * src[(y * width + wx.index[k]!) * channels + c]!;
        tmp[(y * dstWidth + ox) * channels + c] = acc;
      }
    }
  }
  const out = new Float32Array(dstHeight * dstWidth * channels);
  for (let oy = 0; oy < dstHeight; oy++) {
    const s = wy.start[oy]!;
    const e = s + wy.length[oy]!;
    for (let ox = 0; ox < dstWidth; ox++) {
      for (let c = 0; c < channels; c++) {
        let acc = 0;
        for (let k = s; k < e; k++)
          acc += wy.weight[k]! * tmp[(wy.index[k]! * dstWidth + ox) * channels + c]!;
        out[(oy * dstWidth + ox) * channels + c] = acc;
      }
    }
  }
  return out;
}

/**
 * Resizes an image to `width × height` (same channels): area averaging when shrinking, bilinear when
 * enlarging. The aspect ratio is not kept; crop or pad first if it matters.
 */
export function resizeImage(image: RawImage, width: number, height: number): RawImage {
  assertRawImage(image);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new GruDataError(
      'INVALID_ARGUMENT',
      `resizeImage: target size ${width}×${height} must be positive whole numbers of pixels.`,
    );
  }
  if (width === image.width && height === image.height) return image;
  const src = Float32Array.from(image.pixels);
  const out = resampleFloat(src, image.width, image.height, image.channels, width, height);
  const pixels = new Uint8Array(out.length);
  for (let i = 0; i < out.length; i++) pixels[i] = Math.min(255, Math.max(0, Math.round(out[i]!)));
  return { width, height, channels: image.channels, pixels };
}

/** Converts and resizes an image to exactly `{ height, width, channels }` (channels 1, 3 or 4). */
export function fitImage(
  image: RawImage,
  shape: { height: number; width: number; channels: 1 | 3 | 4 },
  options: { background?: number } = {},
): RawImage {
  return resizeImage(toChannels(image, shape.channels, options), shape.width, shape.height);
}
