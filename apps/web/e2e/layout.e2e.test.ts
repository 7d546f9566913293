import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { launch, openPage, resultsDir, top1, waitReady } from './browser';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('layout, keyboard and the Fashion-MNIST gallery', () => {
  it('fits a phone screen without sideways scrolling', async () => {
    const { page, errors } = await openPage(browser, baseUrl, { width: 375, height: 740 });
    await waitReady(page);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
    await page.screenshot({ path: `${resultsDir}/phone.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('moves between tabs with the arrow keys and classifies gallery images by keyboard', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await waitReady(page);
    await page.getByRole('tab', { name: 'Draw' }).focus();
    await page.keyboard.press('ArrowRight');
    await expect
      .poll(() => page.getByRole('tab', { name: 'Fashion gallery' }).getAttribute('aria-selected'))
      .toBe('true');
    await waitReady(page);
    await expect
      .poll(() => page.locator('[data-testid="gallery"] button').count())
      .toBeGreaterThanOrEqual(20);
    const buttons = page.locator('[data-testid="gallery"] button');
    let correct = 0;
    for (let i = 0; i < 10; i++) {
      const before = await page.getByTestId('top3').getAttribute('data-count');
      await buttons.nth(i).focus();
      await page.keyboard.press('Enter');
      await page.waitForFunction((n) => {
        const list = document.querySelector<HTMLElement>('[data-testid="top3"]')!;
        return list.dataset.count !== n && list.dataset.state === 'idle';
      }, before);
      if ((await top1(page)) === (await buttons.nth(i).getAttribute('data-label'))) correct++;
    }
    // The gallery holds one image per class first; a Fashion-MNIST GRU gets most of them right.
    expect(correct).toBeGreaterThanOrEqual(7);
    await page.screenshot({ path: `${resultsDir}/fashion.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
