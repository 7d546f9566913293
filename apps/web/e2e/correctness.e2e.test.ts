import { describe, expect, it } from 'vitest';
import { fixture, one, parseLatency, useSite } from './browser';

const site = useSite();

describe('correct under fast clicks and failures', () => {
  it('the last engine choice wins and the caption names the engine that really ran', async () => {
    const demo = await site.open();
    const { page } = demo;
    for (let round = 0; round < 3; round++) {
      // webgl, then math ~20 ms later: the slow webgl load must not end up running.
      await page.evaluate(async () => {
        const select = document.querySelector<HTMLSelectElement>('[data-testid="engine-select"]')!;
        select.value = 'tfjs-webgl';
        select.dispatchEvent(new Event('change'));
        await new Promise((resolve) => setTimeout(resolve, 20));
        select.value = 'math';
        select.dispatchEvent(new Event('change'));
      });
      await demo.waitReady();
      await demo.clear();
      expect(await demo.readAfter(() => demo.draw(one))).toBe('1');
      // The worker says which engine ran each prediction; the page shows that.
      expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe('math');
      expect(await page.getByTestId('latency').textContent()).toMatch(/ on math$/);
      expect(await page.getByTestId('status').textContent()).toMatch(/on math\.$/);
    }
    await demo.closeClean();
  });

  it('a failed model or engine load keeps the previous model, says what failed, and a retry works', async () => {
    const demo = await site.open({ blockServiceWorkers: true });
    const { page } = demo;
    await page.route('**/models/fashion-mnist/weights.bin*', (route) => route.abort('connectionrefused'));
    await page.getByTestId('model-select').selectOption('fashion-mnist');
    await demo.waitError();
    const status = (await page.getByTestId('status').textContent()) ?? '';
    expect(status).toMatch(/^Could not load Fashion-MNIST .* on math: .*weights\.bin/);
    expect(status).toMatch(/Still using MNIST digits .* on math\. Pick it again to retry\.$/);
    expect(status).not.toMatch(/\.\./);
    // The menu shows what still runs, and drawing still works with it.
    expect(await page.getByTestId('model-select').inputValue()).toBe('mnist');
    await demo.draw(one);
    expect(await demo.top1()).toBe('1');
    expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe('math');

    // An engine that cannot start (its wasm binary is unreachable) leaves the math engine running.
    await page.route('**/*.wasm*', (route) => route.abort('connectionrefused'));
    await page.getByTestId('engine-select').selectOption('tfjs-wasm');
    await page.waitForFunction(() => /tfjs-wasm/.test(document.getElementById('status')?.textContent ?? ''));
    await demo.waitError();
    expect(await page.getByTestId('status').textContent()).toMatch(
      /^Could not load MNIST digits .* on tfjs-wasm: .* Still using MNIST digits .* on math\. Pick it again to retry\.$/,
    );
    expect(await page.getByTestId('engine-select').inputValue()).toBe('math');
    await demo.clear();
    await demo.draw(one);
    expect(await demo.top1()).toBe('1');
    expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe('math');

    // Retry once the file is reachable again: it loads.
    await page.unroute('**/models/fashion-mnist/weights.bin*');
    await page.getByTestId('model-select').selectOption('fashion-mnist');
    await demo.waitReady();
    expect(await page.getByTestId('status').textContent()).toMatch(/^Ready: Fashion-MNIST/);
    await page.context().close();
  });

  it('clears an upload error after a good result, shows the picture, and takes the same file twice', async () => {
    const demo = await site.open();
    const { page } = demo;
    const upload = page.getByTestId('upload');
    await upload.setInputFiles({
      name: 'notes.png',
      mimeType: 'image/png',
      buffer: Buffer.from('not a picture'),
    });
    await demo.waitError();
    const message = (await page.getByTestId('status').textContent()) ?? '';
    expect(message).toMatch(/^Could not read notes\.png: .+\. Upload a PNG or JPEG image\.$/);
    expect(message).not.toMatch(/\.\./);

    await upload.setInputFiles(fixture('mnist-test-0-7.png'));
    expect(await demo.top1()).toBe('7');
    await expect.poll(() => page.evaluate(() => document.body.dataset.error)).toBe('false');
    expect(await page.getByTestId('status').textContent()).toMatch(/^Ready: /);

    // The uploaded picture is on the page, with ink on it.
    await expect.poll(() => page.getByTestId('upload-preview').isVisible()).toBe(true);
    const preview = await page.evaluate(() => {
      const c = document.querySelector<HTMLCanvasElement>('[data-testid="upload-preview"]')!;
      const d = c.getContext('2d')!.getImageData(0, 0, c.width, c.height).data;
      let dark = 0;
      for (let i = 0; i < d.length; i += 4) if (d[i]! < 100) dark++;
      return { width: c.width, height: c.height, dark };
    });
    expect(preview.width).toBeGreaterThan(0);
    expect(preview.dark).toBeGreaterThan(20);

    // The picker is emptied after each choice, so the same file again is a new choice (a browser fires
    // no change event for an unchanged value).
    expect(await upload.inputValue()).toBe('');
    await demo.draw(one);
    expect(await demo.top1()).toBe('1');
    expect(await page.getByTestId('upload-preview').isVisible()).toBe(false);
    await upload.setInputFiles(fixture('mnist-test-0-7.png'));
    await expect.poll(() => demo.top1()).toBe('7');
    expect(demo.errors.filter((e) => !e.includes('notes.png'))).toEqual([]);
    await page.context().close();
  });

  it('shows the time from pen-up to the full picture, and a busy indicator for a long upload', async () => {
    const demo = await site.open({ query: '?engine=tfjs-cpu' });
    const { page } = demo;
    // Time stamps taken in the page: the last pointerup on the pad and the last rendered result.
    await page.evaluate(() => {
      const w = window as unknown as { penUp: number; shown: number };
      document
        .querySelector('[data-testid="draw-canvas"]')!
        .addEventListener('pointerup', () => (w.penUp = performance.now()), { capture: true });
      new MutationObserver(() => (w.shown = performance.now())).observe(
        document.querySelector('[data-testid="top3"]')!,
        { attributes: true, attributeFilter: ['data-count'] },
      );
    });
    await demo.draw(one);
    expect(await demo.top1()).toBe('1');
    await page.waitForTimeout(300);
    const observed = await page.evaluate(() => {
      const w = window as unknown as { penUp: number; shown: number };
      return w.shown - w.penUp;
    });
    const shown = parseLatency((await page.getByTestId('latency').textContent()) ?? '');
    // The caption covers the whole wait (not one model pass of it), and no more.
    expect(shown).toBeGreaterThanOrEqual(0.8 * observed);
    // The caption rounds: 0.1 ms under a second, 10 ms ("1.14 s") above.
    const rounding = observed >= 1000 ? 5 : 0.05;
    expect(shown).toBeLessThanOrEqual(observed + rounding + 1);

    // A large picture takes a while to decode: the page says it is working on it.
    const big = await page.evaluate(async () => {
      const canvas = new OffscreenCanvas(5000, 5000);
      const ctx = canvas.getContext('2d')!;
      ctx.fillStyle = '#fff';
      ctx.fillRect(0, 0, 5000, 5000);
      ctx.strokeStyle = '#000';
      ctx.lineWidth = 400;
      ctx.beginPath();
      ctx.moveTo(2500, 800);
      ctx.lineTo(2500, 4200);
      ctx.stroke();
      const bytes = new Uint8Array(await (await canvas.convertToBlob({ type: 'image/png' })).arrayBuffer());
      return Array.from(bytes);
    });
    await page.evaluate(() => {
      const w = window as unknown as { sawBusy: boolean };
      w.sawBusy = false;
      const busy = document.querySelector<HTMLElement>('[data-testid="busy"]');
      if (!busy) return;
      new MutationObserver(() => {
        if (!busy.hidden) w.sawBusy = true;
      }).observe(busy, { attributes: true });
    });
    const upload = page.getByTestId('upload');
    expect(
      await demo.readAfter(() =>
        upload.setInputFiles({ name: 'big.png', mimeType: 'image/png', buffer: Buffer.from(big) }),
      ),
    ).toBe('1');
    expect(await page.evaluate(() => (window as unknown as { sawBusy: boolean }).sawBusy)).toBe(true);
    expect(await page.getByTestId('busy').isVisible()).toBe(false);
    await demo.closeClean();
  });
});
