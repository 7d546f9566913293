// Measures the built demo (apps/web/dist) in headless Chromium: first-load bytes, time to the first
// prediction, pen-up-to-result per engine and an offline reload. Prints JSON; asserts nothing (timings
// belong in measurements, not tests). Run after `pnpm --filter @gruvision/web build`:
//   pnpm --filter @gruvision/web exec tsx scripts/measure-web.ts [--first-visits]
// The first visit is measured twice: on the default engine (math) and with `?engine=tfjs-wasm` (TensorFlow.js
// and its .wasm binary on the wire). `--first-visits` measures only those and the precache.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { preview } from 'vite';
import { launch, one, openPage } from '../e2e/browser';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = await preview({ root, logLevel: 'warn', preview: { host: '127.0.0.1', port: 0 } });
const address = server.httpServer.address();
if (address === null || typeof address === 'string') throw new Error('vite preview did not open a TCP port.');
const baseUrl = `http://127.0.0.1:${address.port}/`;
const browser = await launch();
const out: Record<string, unknown> = {};
const firstVisitsOnly = process.argv.includes('--first-visits');

try {
  // 1. First visit, service worker kept out: what the page and its workers fetch until the first prediction.
  const firstVisit = async (url: string) => {
    const demo = await openPage(browser, 'about:blank', undefined, { blockServiceWorkers: true });
    const { page } = demo;
    let bytes = 0;
    const files: Record<string, number> = {};
    page.on('requestfinished', async (req) => {
      const sizes = await req.sizes();
      const n = sizes.responseBodySize + sizes.responseHeadersSize;
      bytes += n;
      files[new URL(req.url()).pathname] = n;
    });
    const started = Date.now();
    await page.goto(url);
    await demo.waitReady(180_000);
    const readyMs = Date.now() - started;
    await demo.draw(one);
    await demo.top1(180_000);
    const result = {
      bytesUntilFirstPrediction: bytes,
      wasmBytes: Object.entries(files)
        .filter(([path]) => /\.wasm(\.gz)?$/.test(path))
        .reduce((n, [, size]) => n + size, 0),
      files,
      navigationToReadyMs: readyMs,
      navigationToFirstPredictionMs: Date.now() - started,
      firstPenUpToResultMs: Number(await page.getByTestId('latency').getAttribute('data-ms')),
      engine: await page.getByTestId('latency').getAttribute('data-engine'),
    };
    await page.context().close();
    return result;
  };
  out.firstVisit = await firstVisit(baseUrl);
  out.firstVisitTfjsWasm = await firstVisit(`${baseUrl}?engine=tfjs-wasm`);
  // 2. Pen-up to full picture per engine (3 drawings each, after one warm-up).
  if (!firstVisitsOnly) {
    const demo = await openPage(browser, baseUrl, undefined, { blockServiceWorkers: true });
    const { page } = demo;
    await demo.waitReady();
    const perEngine: Record<string, number[]> = {};
    for (const engine of ['math', 'tfjs-webgl', 'tfjs-wasm', 'tfjs-cpu']) {
      await page.getByTestId('engine-select').selectOption(engine);
      await demo.waitReady();
      const times: number[] = [];
      for (let i = 0; i < 4; i++) {
        await demo.clear();
        await demo.draw(one);
        await demo.top1(180_000);
        const ms = Number(await page.getByTestId('latency').getAttribute('data-ms'));
        if (i > 0) times.push(ms);
      }
      perEngine[engine] = times;
    }
    out.penUpToResultMs = perEngine;
    console.error(JSON.stringify(perEngine));
    await page.context().close();
  }
  // 3. Offline reload after the first visit (service worker allowed).
  if (!firstVisitsOnly) {
    const demo = await openPage(browser, baseUrl);
    const { page, errors } = demo;
    await demo.waitReady();
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.reload();
    await demo.waitReady();
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, {
      timeout: 60_000,
    });
    await page.context().setOffline(true);
    const started = Date.now();
    await page.reload();
    await demo.waitReady();
    await demo.draw(one);
    out.offlineReload = { label: await demo.top1(), reloadToFirstPredictionMs: Date.now() - started, errors };
    await page.context().close();
  }
  // 4. What the service worker precaches (the size of the files its manifest lists).
  const dist = join(root, 'dist');
  const sw = readFileSync(join(dist, 'sw.js'), 'utf8');
  const urls = [...sw.matchAll(/url:"([^"]+)"/g)].map((m) => m[1]!);
  out.precache = { files: urls.length, bytes: urls.reduce((n, u) => n + statSync(join(dist, u)).size, 0) };
  out.distJsFiles = readdirSync(join(dist, 'assets'))
    .filter((f) => f.endsWith('.js'))
    .map((f) => `${f} ${statSync(join(dist, 'assets', f)).size}`);
} finally {
  await browser.close();
  await server.close();
}
console.log(JSON.stringify(out, null, 2));
