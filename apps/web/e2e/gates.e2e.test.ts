import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { heatRgb } from '../src/layout';
import { one, type Strokes, useSite, zero } from './browser';

const site = useSite();

/** RGBA pixels of a canvas on the page. */
async function canvasPixels(
  page: Page,
  testId: string,
): Promise<{ width: number; height: number; data: number[] }> {
  return page.evaluate((id) => {
    const c = document.querySelector<HTMLCanvasElement>(`[data-testid="${id}"]`)!;
    return {
      width: c.width,
      height: c.height,
      data: Array.from(c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data),
    };
  }, testId);
}

/** A "2" scaled by `scale` around the pad's centre (fractions of the pad). */
function two(scale: number): Strokes {
  const shape: [number, number][] = [
    [0.3, 0.3],
    [0.38, 0.2],
    [0.52, 0.16],
    [0.66, 0.22],
    [0.7, 0.35],
    [0.62, 0.5],
    [0.45, 0.66],
    [0.3, 0.82],
    [0.72, 0.82],
  ];
  return [shape.map(([x, y]) => [0.5 + (x - 0.5) * scale, 0.5 + (y - 0.5) * scale] as const)];
}

describe('the gates of every cell, sorted units, round ticks', () => {
  it('shows a minGRU: z from the input alone, the positive candidate h̃ and h on one scale', async () => {
    const demo = await site.open();
    const { page } = demo;
    await page.getByTestId('model-select').selectOption('mnist-mingru');
    await demo.waitReady();
    expect(await page.getByTestId('cell-name').textContent()).toBe('minGRU');
    expect(await page.getByTestId('status').textContent()).toMatch(/minGRU-64 on math\.$/);
    await page.getByTestId('unit-order').selectOption('stored');
    expect(await demo.readAfter(() => demo.draw(one))).toMatch(/^\d$/);
    const panels = await page.evaluate(() =>
      Array.from(document.querySelectorAll<HTMLCanvasElement>('[data-testid="heatmaps"] canvas'), (c) => ({
        id: c.dataset.testid,
        min: Number(c.dataset.min),
        max: Number(c.dataset.max),
        caption: c.closest('figure')?.querySelector('figcaption')?.textContent,
      })),
    );
    expect(panels.map((p) => p.id)).toEqual(['heat-z', 'heat-hCandidate', 'heat-h']);
    expect(panels[0]).toMatchObject({ min: 0, max: 1 });
    expect(panels[0]!.caption).toMatch(/from the input alone/);
    expect(panels[1]!.min).toBe(0);
    expect(panels[1]!.max).toBeGreaterThan(0);
    expect(panels[2]!.max).toBe(panels[1]!.max);
    expect(await page.getByTestId('heat-scale').textContent()).toContain('h̃, h');

    // Reference from the equations and the weights file: z_t = σ(x_t·W_z + b_z) reads the input row only,
    // so on a blank row of the model's input (x = −mean/std after normalization) every unit shows
    // σ(Σ_i x·W_z[i, j] + b_z[j]), whatever came before.
    const dir = fileURLToPath(new URL('../public/models/mnist-mingru/', import.meta.url));
    const json = JSON.parse(readFileSync(`${dir}model.json`, 'utf8'));
    const bytes = readFileSync(`${dir}weights.bin`);
    const floats = new Float32Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 4);
    const { mean, std } = json.userDefinedMetadata.gruvision.view.normalize;
    const units = 64;
    const kernel = floats.subarray(0, 28 * 2 * units); // [28, 2u], blocks z | h
    const bias = floats.subarray(28 * 2 * units, 28 * 2 * units + 2 * units);
    const blank = -mean / std;
    const zBlank = Array.from({ length: units }, (_, j) => {
      let a = bias[j]!;
      for (let i = 0; i < 28; i++) a += blank * kernel[i * 2 * units + j]!;
      return 1 / (1 + Math.exp(-a));
    });
    const seen = await canvasPixels(page, 'seen-canvas');
    const blankRows = Array.from({ length: 28 }, (_, t) => t).filter((t) =>
      Array.from({ length: 28 }, (_, x) => seen.data[4 * (t * 28 + x)]!).every((v) => v === 0),
    );
    expect(blankRows.length).toBeGreaterThanOrEqual(4);
    const z = await canvasPixels(page, 'heat-z');
    expect([z.width, z.height]).toEqual([units, 28]);
    let worst = 0;
    for (const t of blankRows) {
      for (let j = 0; j < units; j++) {
        const want = heatRgb(zBlank[j]!, 0, 1);
        for (let c = 0; c < 3; c++)
          worst = Math.max(worst, Math.abs(z.data[4 * (t * units + j) + c]! - want[c]!));
      }
    }
    expect(worst).toBeLessThanOrEqual(1);
    await demo.closeClean();
  });

  it('sorts units by the row where they change most (the same columns, reordered) and draws round ticks', async () => {
    const demo = await site.open();
    const { page } = demo;
    expect(await demo.readAfter(() => demo.draw(zero))).toBe('0');
    const order = ((await page.getByTestId('heatmaps').getAttribute('data-unit-order')) ?? '')
      .split(',')
      .map(Number);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 64 }, (_, j) => j));
    expect(order).not.toEqual(Array.from({ length: 64 }, (_, j) => j));
    const sorted = await canvasPixels(page, 'heat-h');
    await page.getByTestId('unit-order').selectOption('stored');
    expect(await page.getByTestId('heatmaps').getAttribute('data-unit-order')).toBe('');
    const stored = await canvasPixels(page, 'heat-h');
    const column = (img: { width: number; height: number; data: number[] }, j: number): number[] =>
      Array.from({ length: img.height }, (_, t) =>
        img.data.slice(4 * (t * img.width + j), 4 * (t * img.width + j) + 3),
      ).flat();
    for (let k = 0; k < 64; k++) expect(column(sorted, k)).toEqual(column(stored, order[k]!));

    // The belief chart: probabilities 0, 0.2, …, 1 and rows at multiples of 5.
    const chart = page.getByTestId('steps-chart');
    expect(await chart.getAttribute('data-y-ticks')).toBe('0,0.2,0.4,0.6,0.8,1');
    expect(await chart.getAttribute('data-x-ticks')).toBe('5,10,15,20,25');
    await demo.closeClean();
  });

  it('reads a tiny "2" and a "0" drawn from edge to edge', async () => {
    const demo = await site.open();
    expect(await demo.readAfter(() => demo.draw(two(1)))).toBe('2');
    await demo.clear();
    expect(await demo.readAfter(() => demo.draw(two(0.22)))).toBe('2');
    await demo.clear();
    const edgeToEdge = [
      Array.from({ length: 41 }, (_, i) => {
        const a = (i / 40) * 2 * Math.PI;
        return [0.5 + 0.49 * Math.sin(a), 0.5 - 0.49 * Math.cos(a)] as const;
      }),
    ];
    expect(await demo.readAfter(() => demo.draw(edgeToEdge))).toBe('0');
    expect(await demo.top1()).toBe('0');
    await demo.closeClean();
  });
});
