import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { resultsDir, useSite } from './browser';

// Issue #20: photo uploads with dark corners and uneven light stay readable. The pictures are the
// `vignette` group of datasets/outside-digits (printed or drawn digits, "photographed" with corners at
// about 10–50 % of the centre's light, a light gradient, some with a shadow, JPEG; made by
// scripts/make-outside-digits.py), uploaded to the demo with its default MNIST model.
const set = fileURLToPath(new URL('../../../datasets/outside-digits/', import.meta.url));
const vignetted = Array.from({ length: 10 }, (_, d) =>
  readdirSync(join(set, String(d)))
    .filter((name) => name.startsWith('vignette-'))
    .sort()
    .map((name) => ({ label: String(d), name, file: join(set, String(d), name) })),
).flat();

const site = useSite();

describe('uploading vignetted photos', () => {
  it('reads at least 37 of the 40 vignetted pictures of datasets/outside-digits by their label', async () => {
    expect(vignetted).toHaveLength(40);
    const demo = await site.open();
    const { page } = demo;
    const upload = page.getByTestId('upload');
    const wrong: string[] = [];
    for (const p of vignetted) {
      const label = await demo.readAfter(() =>
        upload.setInputFiles({ name: p.name, mimeType: 'image/jpeg', buffer: readFileSync(p.file) }),
      );
      if (label !== p.label) wrong.push(`${p.label}/${p.name} read as ${label}`);
    }
    await page.screenshot({ path: `${resultsDir}/vignetted-upload.png`, fullPage: true });
    // 38 of 40 in Chromium when this test was written (two flagged "1"s read as 2 and 7; `predict()` in
    // Node reads 39, its JPEG decoder differs a little from the browser's); `predict()` in Node read 5 of
    // 40 before preprocessDigit subtracted the paper's uneven light.
    expect(wrong.length, wrong.join(', ')).toBeLessThanOrEqual(3);
    await demo.closeClean();
  });
});
