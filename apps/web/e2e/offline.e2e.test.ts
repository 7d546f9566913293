import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  closeClean,
  drawStrokes,
  one,
  openReady,
  readAfter,
  resultsDir,
  startTraining,
  top1,
  useBrowser,
  useEngine,
  waitForData,
  waitReady,
  zero,
} from './browser';

const { baseUrl, browser } = useBrowser();

describe('offline after the first visit', () => {
  it('is an installable app whose reload, engines, models, gallery and training work with no network', async () => {
    const { page, errors } = await openReady(browser(), baseUrl);
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
      expect(await readAfter(page, () => useEngine(page, engine))).toBe('1');
      expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe(engine);
    }
    await page.getByRole('tab', { name: 'Fashion gallery' }).click();
    await waitReady(page);
    await expect.poll(() => page.locator('[data-testid="gallery"] button').count()).toBeGreaterThan(0);
    await readAfter(page, () => page.locator('[data-testid="gallery"] button').first().click());
    await page.getByRole('tab', { name: 'Draw' }).click();
    await waitReady(page);
    await page.getByTestId('clear').click();
    await drawStrokes(page, zero);
    expect(await top1(page)).toBe('0');

    // Training reads the MNIST subset from the cache too.
    await startTraining(page, { units: 8, samples: 200, epochs: 1 });
    await waitForData(page, 'train-status', 'state', { equals: 'done' });
    await page.screenshot({ path: `${resultsDir}/offline.png`, fullPage: true });
    await closeClean({ page, errors });
  });

  it('fetches model weights and the training subset as their precompressed .gz twins', async () => {
    const { page, errors } = await openReady(browser(), baseUrl, undefined, { blockServiceWorkers: true });
    const fetched = new Map<string, number>();
    page.on('requestfinished', async (req) => {
      fetched.set(new URL(req.url()).pathname, (await req.sizes()).responseBodySize);
    });
    await page.getByTestId('model-select').selectOption('fashion-mnist');
    await waitReady(page);
    await startTraining(page, { units: 8, samples: 100, epochs: 1 });
    await waitForData(page, 'train-status', 'state', { equals: 'done' });
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
    await closeClean({ page, errors });
  });
});
