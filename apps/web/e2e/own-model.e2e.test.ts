import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { one, useSite, zero } from './browser';

const site = useSite();
const modelDir = fileURLToPath(new URL('../public/models/mnist/', import.meta.url));
const modelJson = readFileSync(`${modelDir}model.json`);
const weights = readFileSync(`${modelDir}weights.bin`);
/** PyTorch-made models and PyTorch's own probabilities for given pixels (made by packages/interop's fixture script). */
const torchDir = fileURLToPath(new URL('../../../packages/interop/src/__fixtures__/torch/', import.meta.url));
const torchCases = JSON.parse(readFileSync(`${torchDir}cases.json`, 'utf8')) as {
  cases: {
    name: string;
    input: { height: number; width: number };
    pixels: number[][];
    probabilities: number[][];
  }[];
};

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
    const demo = await site.open();
    const { page } = demo;
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));

    // model.json alone: the page says what is missing and keeps the model it runs.
    await dropFiles(page, [{ name: 'model.json', bytes: modelJson }]);
    await demo.waitError();
    expect(await page.getByTestId('status').textContent()).toMatch(
      /^Could not use the dropped files: model\.json needs weights\.bin, which was not dropped: drop the whole model folder/,
    );
    expect(await page.getByTestId('model-select').inputValue()).toBe('mnist');

    await dropFiles(page, [
      { name: 'model.json', bytes: modelJson },
      { name: 'weights.bin', bytes: weights },
    ]);
    await demo.waitReady();
    expect(await page.getByTestId('model-select').inputValue()).toBe('dropped');
    expect(await page.getByTestId('status').textContent()).toMatch(
      /^Ready: Your model, 10 classes, GRU-64 on math\.$/,
    );
    await demo.draw(one);
    expect(await demo.top1()).toBe('1');
    expect(await page.evaluate(() => document.body.dataset.model)).toBe('dropped');
    const heat = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="heat-z"]')!;
      return { width: c.width, height: c.height };
    });
    expect(heat.height).toBeGreaterThanOrEqual(28);
    expect(heat.width).toBeGreaterThanOrEqual(64);
    expect(requests).toEqual([]);

    // The same through the file picker, on another engine.
    await demo.useEngine('tfjs-cpu');
    await page.getByTestId('model-files').setInputFiles([
      { name: 'model.json', mimeType: 'application/json', buffer: modelJson },
      { name: 'weights.bin', mimeType: 'application/octet-stream', buffer: weights },
    ]);
    await demo.waitReady();
    await demo.clear();
    expect(await demo.readAfter(() => demo.draw(zero))).toBe('0');
    expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe('tfjs-cpu');
    expect(requests.filter((u) => !/\/assets\/|\.wasm$/.test(u))).toEqual([]);
    await demo.closeClean();
  });

  it('draws against a PyTorch model dropped as .onnx (with the probabilities PyTorch gave) or .safetensors', async () => {
    const demo = await site.open();
    const { page } = demo;
    const requests: string[] = [];
    page.on('request', (r) => requests.push(r.url()));
    const gru = torchCases.cases.find((c) => c.name === 'gru-1')!;
    await dropFiles(page, [{ name: 'gru-1.onnx', bytes: readFileSync(`${torchDir}gru-1.onnx`) }]);
    await demo.waitReady();
    expect(await page.getByTestId('status').textContent()).toMatch(
      /^Ready: Your model \(gru-1\.onnx\), 3 classes, GRU-8 on math\.$/,
    );
    expect(await page.getByTestId('model-select').inputValue()).toBe('dropped');
    // The test pictures of the fixture, as PNGs (gray, lossless), uploaded one by one: the page gives the
    // probabilities PyTorch gave for them (shown rounded to 4 decimals).
    for (let k = 0; k < gru.pixels.length; k++) {
      const png = await page.evaluate(
        async ({ pixels, width, height }) => {
          const canvas = new OffscreenCanvas(width, height);
          const rgba = new Uint8ClampedArray(width * height * 4);
          for (const [i, v] of pixels.entries()) rgba.set([v, v, v, 255], 4 * i);
          canvas.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);
          return Array.from(
            new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer()),
          );
        },
        { pixels: gru.pixels[k]!, width: gru.input.width, height: gru.input.height },
      );
      const upload = page.getByTestId('upload');
      await demo.readAfter(() =>
        upload.setInputFiles({ name: `case-${k}.png`, mimeType: 'image/png', buffer: Buffer.from(png) }),
      );
      const shown = await page.evaluate(() =>
        Array.from(document.querySelectorAll<HTMLElement>('[data-testid="top3"] li'), (li) => ({
          index: Number(li.dataset.index),
          p: Number(li.querySelector('[role="meter"]')!.getAttribute('aria-valuenow')),
        })),
      );
      expect(shown).toHaveLength(3);
      for (const { index, p } of shown)
        expect(Math.abs(p - gru.probabilities[k]![index]!)).toBeLessThan(2e-4);
    }

    // The state dict of the same network: its layer and head are found by PyTorch's names.
    await dropFiles(page, [
      { name: 'gru-1.safetensors', bytes: readFileSync(`${torchDir}gru-1.safetensors`) },
    ]);
    await demo.waitReady();
    expect(await page.getByTestId('status').textContent()).toMatch(
      /^Ready: Your model \(gru-1\.safetensors\), 3 classes, GRU-8 on math\.$/,
    );
    await demo.clear();
    await demo.readAfter(() => demo.draw(one));
    expect(await page.locator('[data-testid="top3"] li').count()).toBe(3);
    // A file that is no model: refused by name, the model in use stays.
    await dropFiles(page, [{ name: 'notes.onnx', bytes: Buffer.from('not a model') }]);
    await demo.waitError();
    expect(await page.getByTestId('status').textContent()).toMatch(/notes\.onnx/);
    expect(await page.getByTestId('status').textContent()).toMatch(/Still using Your model/);
    // Only the page's own code was fetched (the lazily loaded ONNX reader), no model left the browser.
    expect(requests.filter((u) => !/\/assets\/[^/]+\.js$/.test(u))).toEqual([]);
    await demo.closeClean();
  });
});
