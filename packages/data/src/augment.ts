/** Copies one HWC image moved by (dx, dy) pixels into `out`; uncovered pixels become 0. */
export function shiftImage(
  out: Uint8Array,
  pixels: Uint8Array,
  offset: number,
  height: number,
  width: number,
  channels: number,
  dx: number,
  dy: number,
): void {
  out.fill(0);
  const rowBytes = width * channels;
  const x0 = Math.max(0, dx);
  const x1 = Math.min(width, width + dx);
  if (x1 <= x0) return;
  for (let y = 0; y < height; y++) {
    const sy = y - dy;
    if (sy < 0 || sy >= height) continue;
    const src = offset + sy * rowBytes + (x0 - dx) * channels;
    out.set(pixels.subarray(src, src + (x1 - x0) * channels), y * rowBytes + x0 * channels);
  }
}
