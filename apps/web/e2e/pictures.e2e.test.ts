import { describe, expect, it } from 'vitest';
import { one, resultsDir, type Strokes, useSite, zero } from './browser';

const site = useSite();

/** A zigzag scribble over the whole pad: not a digit. */
const scribble: Strokes = [
  Array.from({ length: 24 }, (_, i) => [i % 2 === 0 ? 0.12 : 0.88, 0.1 + (0.8 * i) / 23] as const),
  Array.from({ length: 24 }, (_, i) => [0.1 + (0.8 * i) / 23, i % 2 === 0 ? 0.12 : 0.88] as const),
];

describe('pictures people can read', () => {
  it('selects a heatmap row by touch and marks it on the heatmaps and the input', async () => {
    const demo = await site.open({ viewport: { width: 390, height: 844 }, hasTouch: true });
    const { page } = demo;
    await demo.draw(zero);
    expect(await demo.top1()).toBe('0');
    const heatZ = page.getByTestId('heat-z');
    await heatZ.scrollIntoViewIfNeeded();
    const box = (await heatZ.boundingBox())!;
    await page.touchscreen.tap(box.x + box.width / 2, box.y + box.height * (20.5 / 28));
    // The row stays selected after the finger lifts: on the input and on every heatmap.
    await expect.poll(() => page.locator('#row-marker').isVisible()).toBe(true);
    expect(await heatZ.getAttribute('data-row')).toBe('20');
    expect(await page.locator('.heat-marker').first().isVisible()).toBe(true);
    await demo.closeClean();
  });

  it('warns instead of giving a confident answer for a scribble, not for a clear digit', async () => {
    const demo = await site.open();
    const { page } = demo;
    await demo.draw(one);
    expect(await demo.top1()).toBe('1');
    expect(await page.getByTestId('warning').isVisible()).toBe(false);
    await demo.clear();
    await demo.draw(scribble);
    await demo.top1();
    await expect.poll(() => page.getByTestId('warning').isVisible()).toBe(true);
    expect(await page.getByTestId('warning').textContent()).toMatch(/does not look like a digit|Not sure/);
    await demo.clear();
    await demo.draw(zero);
    expect(await demo.top1()).toBe('0');
    expect(await page.getByTestId('warning').isVisible()).toBe(false);
    await demo.closeClean();
  });

  for (const dpr of [1, 2]) {
    it(`draws sharp charts at DPR ${dpr}: each canvas holds CSS size × DPR pixels; screenshots kept`, async () => {
      const demo = await site.open({ viewport: { width: 1280, height: 900 }, deviceScaleFactor: dpr });
      const { page } = demo;
      await demo.draw(zero);
      expect(await demo.top1()).toBe('0');
      const sizes = await page.evaluate(() => {
        const c = document.querySelector<HTMLCanvasElement>('[data-testid="steps-chart"]')!;
        const r = c.getBoundingClientRect();
        const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
        let inked = 0;
        for (let i = 3; i < d.length; i += 4) if (d[i]! > 0) inked++;
        return { width: c.width, height: c.height, cssWidth: r.width, cssHeight: r.height, inked };
      });
      expect(Math.abs(sizes.width - sizes.cssWidth * dpr)).toBeLessThanOrEqual(1);
      expect(Math.abs(sizes.height - sizes.cssHeight * dpr)).toBeLessThanOrEqual(1);
      // Not blank: lines and labels cover a fair share of it.
      expect(sizes.inked).toBeGreaterThan(0.02 * sizes.width * sizes.height);
      await expect.poll(() => page.getByTestId('heat-scale').isVisible()).toBe(true);
      await page.screenshot({ path: `${resultsDir}/draw-dpr${dpr}.png`, fullPage: true });
      await demo.closeClean();
    });
  }
});
