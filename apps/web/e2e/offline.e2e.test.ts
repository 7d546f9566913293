import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { one, resultsDir, useSite, zero } from './browser';

const site = useSite();

describe('offline after the first visit', () => {
  it('is an installable app whose reload, engines, models, gallery and training work with no network', async () => {
    const demo = await site.open();
    const { page } = demo;
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
    await demo.waitReady();
    await demo.draw(one);
    expect(await demo.top1()).toBe('1');
    for (const engine of ['tfjs-wasm', 'tfjs-webgl', 'math']) {
      expect(await demo.readAfter(() => demo.useEngine(engine))).toBe('1');
      expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe(engine);
    }
    await page.getByRole('tab', { name: 'Fashion gallery' }).click();
    await demo.waitReady();
    await expect.poll(() => page.locator('[data-testid="gallery"] button').count()).toBeGreaterThan(0);
    await demo.readAfter(() => page.locator('[data-testid="gallery"] button').first().click());
    await page.getByRole('tab', { name: 'Draw' }).click();
    await demo.waitReady();
    await demo.clear();
    await demo.draw(zero);
    expect(await demo.top1()).toBe('0');

    // Training reads the MNIST subset from the cache too.
    await demo.startTraining({ units: 8, samples: 200, epochs: 1 });
    await demo.waitForData('train-status', 'state', { equals: 'done' });
    await page.screenshot({ path: `${resultsDir}/offline.png`, fullPage: true });
    await demo.closeClean();
  });

  it('fetches model weights and the training subset as their precompressed .gz twins', async () => {
    const demo = await site.open({ blockServiceWorkers: true });
    const { page } = demo;
    const fetched = demo.recordFetched();
    await page.getByTestId('model-select').selectOption('fashion-mnist');
    await demo.waitReady();
    await demo.startTraining({ units: 8, samples: 100, epochs: 1 });
    await demo.waitForData('train-status', 'state', { equals: 'done' });
    const paths = [...fetched.keys()];
    expect(paths).toEqual(
      expect.arrayContaining(['/models/fashion-mnist/weights.bin.gz', '/data/mnist-train-subset.bin.gz']),
    );
    expect(paths.filter((p) => p.endsWith('.bin'))).toEqual([]);
    // The subset (1.6 MB as it is) crosses the wire at under a third of that.
    const raw = statSync(
      fileURLToPath(new URL('../public/data/mnist-train-subset.bin', import.meta.url)),
    ).size;
    expect(fetched.get('/data/mnist-train-subset.bin.gz')!).toBeLessThan(raw / 3);
    await demo.closeClean();
  });
});
