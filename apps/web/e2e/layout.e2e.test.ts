import { describe, expect, it } from 'vitest';
import { resultsDir, useSite } from './browser';

const site = useSite();

describe('layout, keyboard and the Fashion-MNIST gallery', () => {
  it('fits a phone screen without sideways scrolling', async () => {
    const demo = await site.open({ viewport: { width: 375, height: 740 } });
    const { page } = demo;
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${resultsDir}/phone.png`, fullPage: true });
    await demo.closeClean();
  });

  it('moves between tabs with the arrow keys and classifies gallery images by keyboard', async () => {
    const demo = await site.open();
    const { page } = demo;
    await page.getByRole('tab', { name: 'Draw' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Fashion gallery' }).getAttribute('aria-selected'))
      .toBe('true');
    await demo.waitReady();
    await expect
      .poll(() => page.locator('[data-testid="gallery"] button').count())
      .toBeGreaterThanOrEqual(20);
    const buttons = page.locator('[data-testid="gallery"] button');
    let correct = 0;
    for (let i = 0; i < 10; i++) {
      const label = await demo.readAfter(async () => {
        await buttons.nth(i).focus();
        await page.keyboard.press('Enter');
      });
      if (label === (await buttons.nth(i).getAttribute('data-label'))) correct++;
    }
    // The gallery holds one image per class first; a Fashion-MNIST GRU gets most of them right.
    expect(correct).toBeGreaterThanOrEqual(7);
    await page.screenshot({ path: `${resultsDir}/fashion.png`, fullPage: true });
    await demo.closeClean();
  });
});
