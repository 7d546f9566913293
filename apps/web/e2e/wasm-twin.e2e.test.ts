import { statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { one, useSite } from './browser';

const site = useSite();

describe("tfjs' wasm binary", () => {
  it('crosses the wire as its .wasm.gz twin, one binary only, and the wasm engine predicts from it', async () => {
    const demo = await site.open({ blockServiceWorkers: true });
    const { page } = demo;
    const fetched = demo.recordFetched();
    await demo.draw(one);
    expect(await demo.readAfter(() => demo.useEngine('tfjs-wasm'))).toBe('1');
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
    await demo.closeClean();
  });
});
