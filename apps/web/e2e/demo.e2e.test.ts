import { describe, expect, it } from 'vitest';
import { fixture, one, resultsDir, useSite, zero } from './browser';

const site = useSite();

describe('draw and classify (MNIST model, math engine)', () => {
  it('reads a drawn "1" and "0", shows the centred input and the GRU inside, and logs no errors', async () => {
    const demo = await site.open();
    const { page } = demo;
    // Predictions arrive while the pen is still down.
    const pad = (await page.getByTestId('draw-canvas').boundingBox())!;
    await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.18);
    await page.mouse.down();
    await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.5, { steps: 6 });
    await expect.poll(() => page.locator('[data-testid="top3"] li').count()).toBe(3);
    await page.mouse.move(pad.x + pad.width / 2, pad.y + pad.height * 0.82, { steps: 6 });
    await page.mouse.up();
    expect(await demo.top1()).toBe('1');
    await demo.clear();
    await expect.poll(() => page.locator('[data-testid="top3"] li').count()).toBe(0);
    await demo.draw(one);
    expect(await demo.top1()).toBe('1');
    await demo.clear();
    await expect.poll(() => page.locator('[data-testid="top3"] li').count()).toBe(0);
    await demo.draw(zero);
    expect(await demo.top1()).toBe('0');
    expect(await page.locator('[data-testid="top3"] li').count()).toBe(3);

    // The 28×28 input has ink, centred: its centre of mass is near the middle.
    const seen = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="seen-canvas"]')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let mass = 0;
      let my = 0;
      let mx = 0;
      for (let i = 0; i < c.width * c.height; i++) {
        const v = d[4 * i]!;
        mass += v;
        mx += v * (i % c.width);
        my += v * Math.floor(i / c.width);
      }
      return { width: c.width, height: c.height, mass, cx: mx / mass, cy: my / mass };
    });
    expect(seen.width).toBe(28);
    expect(seen.height).toBe(28);
    expect(seen.mass).toBeGreaterThan(0);
    expect(Math.abs(seen.cx - 13.5)).toBeLessThan(1.5);
    expect(Math.abs(seen.cy - 13.5)).toBeLessThan(1.5);

    // Heatmaps are rows (28 time steps) × units.
    const heat = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="heat-z"]')!;
      return { width: c.width, height: c.height };
    });
    expect(heat.height).toBe(28);
    expect(heat.width).toBeGreaterThanOrEqual(16);

    // Hovering a heatmap row highlights that row of the input.
    const box = (await page.getByTestId('heat-h').boundingBox())!;
    await page.mouse.move(box.x + box.width / 2, box.y + box.height * (10.5 / 28));
    await expect.poll(() => page.locator('#row-marker').isVisible()).toBe(true);

    // Undo removes the last stroke: the canvas is black again and the prediction disappears.
    await page.getByTestId('undo').click();
    await expect.poll(() => page.locator('[data-testid="top3"] li').count()).toBe(0);

    await demo.draw(zero);
    await demo.top1();
    await page.screenshot({ path: `${resultsDir}/demo.png`, fullPage: true });
    await demo.closeClean();
  });

  it('classifies uploaded PNGs (dark ink on white paper) by their label', async () => {
    const demo = await site.open();
    const { page } = demo;
    await page.getByTestId('upload').setInputFiles(fixture('mnist-test-0-7.png'));
    expect(await demo.top1()).toBe('7');
    await page.getByTestId('upload').setInputFiles(fixture('mnist-test-3-0.png'));
    await expect.poll(() => demo.top1()).toBe('0');
    await demo.closeClean();
  });
});

describe('engines', () => {
  it('math, tfjs webgl, wasm and cpu give the same top-1 on the same drawing, each with a latency', async () => {
    const demo = await site.open();
    const { page } = demo;
    await demo.draw(zero);
    const reference = await demo.top1();
    expect(reference).toBe('0');
    const seen: Record<string, string> = {};
    for (const engine of ['tfjs-webgl', 'tfjs-wasm', 'tfjs-cpu', 'math']) {
      // The first webgl run compiles its shaders (slow on the software renderer of a busy machine).
      seen[engine] = await demo.readAfter(() => demo.useEngine(engine), 150_000);
      expect(await page.getByTestId('latency').textContent()).toMatch(
        new RegExp(`\\d ms on ${engine}$|\\d s on ${engine}$`),
      );
    }
    expect(seen).toEqual({
      'tfjs-webgl': reference,
      'tfjs-wasm': reference,
      'tfjs-cpu': reference,
      math: reference,
    });
    await demo.closeClean();
  });
});
