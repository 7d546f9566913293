/**
 * Uneven light for {@link preprocessDigit}: photos of paper with a light gradient, a shadow or dark
 * corners (vignetting). The paper's brightness is estimated at each pixel and subtracted, so the digit,
 * not the dark corners, is what remains as ink.
 */

/** The `p`-quantile (0…1) of `count` gray levels in a histogram: the level of rank `floor(p · (count − 1))`. */
export function histogramQuantile(histogram: Uint32Array, count: number, p: number): number {
  const rank = Math.floor(p * (count - 1));
  let seen = 0;
  for (let v = 0; v < histogram.length; v++) {
    seen += histogram[v]!;
    if (seen > rank) return v;
  }
  return histogram.length - 1;
}

/** Grayscale morphology on a `gw × gh` grid: each cell becomes the max (or min) of its 3×3 neighbourhood. */
export function filter3x3(grid: Float64Array, gw: number, gh: number, take: 'max' | 'min'): Float64Array {
  const out = new Float64Array(grid.length);
  const pick = take === 'max' ? Math.max : Math.min;
  for (let y = 0; y < gh; y++) {
    for (let x = 0; x < gw; x++) {
      let v = grid[y * gw + x]!;
      for (let dy = -1; dy <= 1; dy++) {
        for (let dx = -1; dx <= 1; dx++) {
          const yy = y + dy;
          const xx = x + dx;
          if (yy >= 0 && yy < gh && xx >= 0 && xx < gw) v = pick(v, grid[yy * gw + xx]!);
        }
      }
      out[y * gw + x] = v;
    }
  }
  return out;
}

/** The side of the cells the background is estimated in: a sixteenth of the picture's shorter side, at least 2. */
export function backgroundCell(width: number, height: number): number {
  return Math.max(2, Math.round(Math.min(width, height) / 16));
}

/** Gray levels a cell may lie below (above) the closing (opening) of the grid and still count as paper (board). */
export const INK_STEP = 32;

/** Cells added on each side of the grid, filled by linear extrapolation, so the closing has no edge effect. */
const PAD = 2;

/**
 * The grid padded by {@link PAD} cells on each side, each new cell extrapolated linearly from the two
 * nearest cells of its row (then column): a light falloff towards an edge keeps falling beyond it.
 */
export function padGrid(grid: Float64Array, gw: number, gh: number): Float64Array {
  const pw = gw + 2 * PAD;
  const ph = gh + 2 * PAD;
  const out = new Float64Array(pw * ph);
  const line = (get: (i: number) => number, set: (i: number, v: number) => void, n: number) => {
    for (let i = 0; i < n; i++) set(i + PAD, get(i));
    const first = get(0);
    const last = get(n - 1);
    const stepFirst = n > 1 ? get(0) - get(1) : 0;
    const stepLast = n > 1 ? get(n - 1) - get(n - 2) : 0;
    for (let k = 1; k <= PAD; k++) {
      set(PAD - k, first + k * stepFirst);
      set(PAD + n - 1 + k, last + k * stepLast);
    }
  };
  for (let y = 0; y < gh; y++) {
    line(
      (i) => grid[y * gw + i]!,
      (i, v) => {
        out[(y + PAD) * pw + i] = v;
      },
      gw,
    );
  }
  for (let x = 0; x < pw; x++) {
    line(
      (i) => out[(i + PAD) * pw + x]!,
      (i, v) => {
        out[i * pw + x] = v;
      },
      gh,
    );
  }
  return out;
}

/** The background level of a picture, from {@link backgroundField}. */
export interface BackgroundField {
  /** The background level at pixel (x, y), interpolated between cell centres. */
  at(x: number, y: number): number;
  /** Highest minus lowest cell level: how uneven the light is, in gray levels. */
  readonly range: number;
}

/**
 * The background (paper or board) level of a grayscale picture, for ink that is darker (`darkInk`) or
 * lighter than it:
 * 1. the picture is cut into square cells of side {@link backgroundCell} (the last row and column of
 *    cells may be smaller); each cell's level is its 75th percentile of gray for dark ink (its paper,
 *    a little above the noise) or its 25th for light ink;
 * 2. the grid is padded by linear extrapolation ({@link padGrid}); a morphological closing for dark
 *    ink (3×3 max twice, then 3×3 min twice), an opening for light ink, removes strokes up to about
 *    four cells wide while keeping the shape of the light field;
 * 3. a cell whose own level is within {@link INK_STEP} of that stays as it was (paper in uneven light);
 *    a cell further from it holds ink and takes the closing's level;
 * 4. `at(x, y)` interpolates the grid bilinearly between cell centres (`(g + 0.5) · cell − 0.5`),
 *    and extrapolates it linearly ({@link padGrid}) beyond the outermost ones, within 0…255.
 */
export function backgroundField(
  gray: Uint8Array,
  width: number,
  height: number,
  darkInk: boolean,
): BackgroundField {
  const cell = backgroundCell(width, height);
  const gw = Math.ceil(width / cell);
  const gh = Math.ceil(height / cell);
  const grid = new Float64Array(gw * gh);
  const histograms = Array.from({ length: gw }, () => new Uint32Array(256));
  for (let gy = 0; gy < gh; gy++) {
    for (const h of histograms) h.fill(0);
    const yEnd = Math.min(height, (gy + 1) * cell);
    for (let y = gy * cell; y < yEnd; y++) {
      for (let x = 0; x < width; x++) histograms[Math.floor(x / cell)]![gray[y * width + x]!]!++;
    }
    for (let gx = 0; gx < gw; gx++) {
      const count = (yEnd - gy * cell) * (Math.min(width, (gx + 1) * cell) - gx * cell);
      grid[gy * gw + gx] = histogramQuantile(histograms[gx]!, count, darkInk ? 0.75 : 0.25);
    }
  }
  const pw = gw + 2 * PAD;
  const ph = gh + 2 * PAD;
  const [first, second] = darkInk ? (['max', 'min'] as const) : (['min', 'max'] as const);
  let closed = padGrid(grid, gw, gh);
  for (const take of [first, first, second, second]) closed = filter3x3(closed, pw, ph, take);
  // A closing only ever raises the level, and near the corners of a vignetted picture it raises it
  // too much (the padding is linear, the falloff is not): a cell within INK_STEP of the closing is
  // paper (or board) and keeps its own level; only cells far darker (lighter) than it hold ink.
  const levels = new Float64Array(gw * gh);
  let low = Infinity;
  let high = -Infinity;
  for (let gy = 0; gy < gh; gy++) {
    for (let gx = 0; gx < gw; gx++) {
      const raw = grid[gy * gw + gx]!;
      const morph = closed[(gy + PAD) * pw + gx + PAD]!;
      const v = Math.abs(morph - raw) <= INK_STEP ? raw : morph;
      levels[gy * gw + gx] = v;
      low = Math.min(low, v);
      high = Math.max(high, v);
    }
  }
  const outer = padGrid(levels, gw, gh);
  const level = (gx: number, gy: number) =>
    Math.min(
      255,
      Math.max(0, outer[(Math.min(gh, Math.max(-1, gy)) + PAD) * pw + Math.min(gw, Math.max(-1, gx)) + PAD]!),
    );
  return {
    range: high - low,
    at(x: number, y: number): number {
      const fy = (y + 0.5) / cell - 0.5;
      const gy = Math.floor(fy);
      const ty = fy - gy;
      const fx = (x + 0.5) / cell - 0.5;
      const gx = Math.floor(fx);
      const tx = fx - gx;
      const top = level(gx, gy) * (1 - tx) + level(gx + 1, gy) * tx;
      const bottom = level(gx, gy + 1) * (1 - tx) + level(gx + 1, gy + 1) * tx;
      return top * (1 - ty) + bottom * ty;
    },
  };
}
