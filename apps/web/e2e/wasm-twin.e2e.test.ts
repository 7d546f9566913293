import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { closeClean, drawStrokes, one, openReady, readAfter, useBrowser, useEngine } from './browser';

const { baseUrl, browser } = useBrowser();

describe("tfjs' wasm binary", () => {
  it('crosses the wire as its .wasm.gz twin, one binary only, and the wasm engine predicts from it', async () => {
    const { page, errors } = await openReady(browser(), baseUrl, undefined, { blockServiceWorkers: true });
    const fetched = new Map<string, number>();
    page.on('requestfinished', async (req) => {
      fetched.set(new URL(req.url()).pathname, (await req.sizes()).responseBodySize);
    });
    await drawStrokes(page, one);
    expect(await readAfter(page, () => useEngine(page, 'tfjs-wasm'))).toBe('1');
    expect(await page.getByTestId('latency').getAttribute('data-engine')).toBe('tfjs-wasm');
    const wasm = [...fetched.keys()].filter((p) => /\.wasm(\.gz)?$/.test(p));
    // tfjs picks one of its three binaries (threaded SIMD, SIMD, plain) by what the browser supports.
    expect(wasm).toHaveLength(1);
    expect(wasm[0]).toMatch(/^\/assets\/tfjs-backend-wasm[-\w]*\.wasm\.gz$/);
    // Under half the size of the binary it unpacks to (the build's file beside it).
    const raw = statSync(
      fileURLToPath(new URL(`../dist${wasm[0]!.replace(/\.gz$/, '')}`, import.meta.url)),
    ).size;
    expect(fetched.get(wasm[0]!)!).toBeLessThan(raw / 2);
    await closeClean({ page, errors });
  });
});
