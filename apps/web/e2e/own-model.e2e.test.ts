import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import {
  closeClean,
  drawStrokes,
  one,
  openReady,
  readAfter,
  top1,
  useBrowser,
  useEngine,
  waitError,
  waitReady,
  zero,
} from './browser';

const { baseUrl, browser } = useBrowser();
const modelDir = fileURLToPath(new URL('../public/models/mnist/', import.meta.url));
const modelJson = readFileSync(`${modelDir}model.json`);
const weights = readFileSync(`${modelDir}weights.bin`);

/** Drops files on the page as a real drag and drop does (a `drop` event carrying a DataTransfer). */
async function dropFiles(page: Page, files: { name: string; bytes: Buffer }[]): Promise<void> {
  await page.evaluate(
    (list) => {
      const transfer = new DataTransfer();
      for (const f of list) transfer.items.add(new File([new Uint8Array(f.bytes)], f.name));
      const target = document.querySelector('main')!;
      target.dispatchEvent(
        new DragEvent('dragover', { dataTransfer: transfer, bubbles: true, cancelable: true }),
      );
      target.dispatchEvent(
        new DragEvent('drop', { dataTransfer: transfer, bubbles: true, cancelable: true }),
      );
    },
    files.map((f) => ({ name: f.name, bytes: Array.from(f.bytes) })),
  );
}

describe('your own model in the page', () => {
  it('draws against a dropped model folder, with its gates, and nothing leaves the browser', async () => {
    const { page, errors } = await openReady(browser(), baseUrl);
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    // model.json alone: the page says what is missing and keeps the model it runs.
    await dropFiles(page, [{ name: 'model.json', bytes: modelJson }]);
    await waitError(page);
    expect(await page.getByTestId('status').textContent()).toMatch(
      /^Could not use the dropped files: model\.json needs weights\.bin, which was not dropped: drop the whole model folder/,
    );
    expect(await page.getByTestId('model-select').inputValue()).toBe('mnist');

    await dropFiles(page, [
      { name: 'model.json', bytes: modelJson },
      { name: 'weights.bin', bytes: weights },
    ]);
    await waitReady(page);
    expect(await page.getByTestId('model-select').inputValue()).toBe('dropped');
    expect(await page.getByTestId('status').textContent()).toMatch(
      /^Ready: Your model, 10 classes, GRU-64 on math\.$/,
    );
    await drawStrokes(page, one);
    expect(await top1(page)).toBe('1');
    expect(await page.evaluate(() => document.body.dataset.model)).toBe('dropped');
    const heat = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="heat-z"]')!;
      return { width: c.width, height: c.height };
    });
    expect(heat.height).toBeGreaterThanOrEqual(28);
    expect(heat.width).toBeGreaterThanOrEqual(64);
    expect(requests).toEqual([]);

    // The same through the file picker, on another engine.
    await useEngine(page, 'tfjs-cpu');
    await page.getByTestId('model-files').setInputFiles([
      { name: 'model.json', mimeType: 'application/json', buffer: modelJson },
      { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights },
    ]);
    await waitReady(page);
    await page.getByTestId('clear').click();
    expect(await readAfter(page, () => drawStrokes(page, zero))).toBe('0');
    expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe('tfjs-cpu');
    expect(requests.filter((u) => !/\/assets\/|\.wasm$/.test(u))).toEqual([]);
    await closeClean({ page, errors });
  });
});
