import type { ImageSet } from '@gruvision/data';
import { Rng } from '@gruvision/math';

/**
 * A tiny learnable set: `size × size` gray images of a horizontal bar, a vertical bar or a diagonal
 * (classes 'h', 'v', 'd') at a random position, on faint noise. Seeded, so every test sees the same set.
 */
export function barsSet(count: number, seed: number, size = 8): ImageSet {
  const rng = new Rng(seed);
  const pixels = new Uint8Array(count * size * size);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    labels[n] = label;
    const base = n * size * size;
    for (let i = 0; i < size * size; i++) pixels[base + i] = rng.int(40);
    const at = 1 + rng.int(size - 2);
    for (let k = 0; k < size; k++) {
      const [y, x] = label === 0 ? [at, k] : label === 1 ? [k, at] : [k, k];
      pixels[base + y * size + x] = 200 + rng.int(56);
    }
  }
  return { count, height: size, width: size, channels: 1, pixels, labels, classNames: ['h', 'v', 'd'] };
}

/**
 * Options of a small classifier of `barsSet` pictures (8×8 gray, classes h, v, d): one GRU layer of
 * `units`, seeded with `seed`.
 */
export function barsModel(units: number, seed: number) {
  return { classNames: ['h', 'v', 'd'], height: 8, width: 8, units, seed } as const;
}
