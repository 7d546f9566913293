import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { drawStrokes, launch, nextResult, one, openPage, resultsDir, top1, waitReady, zero } from './browser';

const baseUrl = inject('baseUrl');
let browser: Browser;

beforeAll(async () => {
  browser = await launch();
});

afterAll(async () => {
  await browser?.close();
});

describe('offline after the first visit', () => {
  it('is an installable app whose reload, engines, models, gallery and training work with no network', async () => {
    const { page, errors } = await openPage(browser, baseUrl);
    await waitReady(page);
    // The manifest names the app and has icons an install needs.
    const manifest = await page.evaluate(async () => {
      const link = document.querySelector<HTMLLinkElement>('link[rel="manifest"]');
      if (!link) return null;
      return (await fetch(link.href)).json() as Promise<{
        name: string;
        display: string;
        icons: { sizes: string }[];
      }>;
    });
    expect(manifest?.display).toBe('standalone');
    expect(manifest?.icons.map((i) => i.sizes)).toEqual(expect.arrayContaining(['192x192', '512x512']));
    // The service worker has precached the site and controls the page.
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: 60_000,
    });

    await page.context().setOffline(true);
    await page.reload();
    await waitReady(page);
    await drawStrokes(page, one);
    expect(await top1(page)).toBe('1');
    for (const engine of ['tfjs-wasm', 'tfjs-webgl', 'math']) {
      const before = await page.getByTestId('top3').getAttribute('data-count');
      await page.getByTestId('engine-select').selectOption(engine);
      await waitReady(page);
      await nextResult(page, before);
      expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe(engine);
      expect(await top1(page)).toBe('1');
    }
    await page.getByRole('tab', { name: 'Fashion gallery' }).click();
    await waitReady(page);
    await expect.poll(() => page.locator('[data-testid="gallery"] button').count()).toBeGreaterThan(0);
    const before = await page.getByTestId('top3').getAttribute('data-count');
    await page.locator('[data-testid="gallery"] button').first().click();
    await nextResult(page, before);
    await page.getByRole('tab', { name: 'Draw' }).click();
    await waitReady(page);
    await page.getByTestId('clear').click();
    await drawStrokes(page, zero);
    expect(await top1(page)).toBe('0');

    // Training reads the MNIST subset from the cache too.
    await page.getByRole('tab', { name: 'Train in the browser' }).click();
    await page.locator('#train-units').fill('8');
    await page.locator('#train-samples').fill('200');
    await page.locator('#train-epochs').fill('1');
    await page.getByTestId('train-start').click();
    await page.waitForFunction(
      () => document.querySelector<HTMLElement>('[data-testid="train-status"]')?.dataset.state === 'done',
      undefined,
      { timeout: 60_000 },
    );
    await page.screenshot({ path: `${resultsDir}/offline.png`, fullPage: true });
    expect(errors).toEqual([]);
    await page.context().close();
  });
});
