// Writes the app icons (public/icon-192.png, public/icon-512.png): a light ring, drawn "0", on dark
// gray, with the 28 rows a GRU reads marked faintly. Gray PNGs from fast-png, the encoder of the fixtures.
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';

function icon(size: number): Uint8Array {
  const pixels = new Uint8Array(size * size);
  const c = (size - 1) / 2;
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      // An ellipse stroke (a handwritten zero) of width ~9 % of the icon.
      const dx = (x - c) / (size * 0.26);
      const dy = (y - c) / (size * 0.36);
      const ring = Math.abs(Math.sqrt(dx * dx + dy * dy) - 1) * size * 0.3;
      const ink = Math.max(0, Math.min(1, 1.5 - ring / (size * 0.045)));
      const row = Math.floor((y / size) * 28) % 2 === 0 ? 40 : 48;
      pixels[y * size + x] = Math.round(row + ink * (245 - row));
    }
  }
  return encode({ width: size, height: size, data: pixels, channels: 1, depth: 8 });
}

for (const size of [192, 512]) {
  const out = fileURLToPath(new URL(`../public/icon-${size}.png`, import.meta.url));
  writeFileSync(out, icon(size));
  console.log(`wrote ${out}`);
}
