// `pnpm bench --browser` end to end, for a very short time: the rows and the agreement check, never a
// speed. Needs Chromium ($CHROMIUM_PATH or /usr/bin/chromium; .ci/run installs Debian's).
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';
import { BROWSER_ROWS, browserMissing } from './browser';
import { AGREEMENT_TOLERANCE } from './browser/protocol';

const run = fileURLToPath(new URL('./run.ts', import.meta.url));
const bench = (args: string[], env: NodeJS.ProcessEnv = process.env) =>
  promisify(execFile)(process.execPath, ['--conditions=@gruvision/source', '--import', 'tsx', run, ...args], {
    env,
    maxBuffer: 16 << 20,
  });

describe('pnpm bench --browser', () => {
  it('measures math-wasm, math-wasm-simd, math-threads-2 and ort-web-1 in one page after their probabilities agree', async () => {
    expect(browserMissing()).toBeNull();
    const { stdout } = await bench(['--browser', '--json', '--seconds', '0.05']);
    const doc = JSON.parse(stdout);
    expect(doc.failures).toEqual([]);
    expect(doc.page.crossOriginIsolated).toBe(true);
    // Correctness before speed: every math row against onnxruntime-web, on a batch and on one image.
    expect(doc.agreement.passed).toBe(true);
    expect(doc.agreement.images).toBe(129);
    expect(Object.keys(doc.agreement.maxAbsDiff).sort()).toEqual([
      'math-threads-2',
      'math-wasm',
      'math-wasm-simd',
    ]);
    for (const d of Object.values(doc.agreement.maxAbsDiff))
      expect(d).toBeLessThanOrEqual(AGREEMENT_TOLERANCE);
    expect(doc.results.map((r: { engine: string }) => r.engine)).toEqual([...BROWSER_ROWS]);
    for (const r of doc.results) {
      expect(r.inferSamplesPerSec).toBeGreaterThan(0);
      expect(r.inferBatches).toBeGreaterThanOrEqual(3);
      expect(r.latencyMs).toBeGreaterThan(0);
      expect(r.ratios.inferVsOrtWeb1).toBeCloseTo(r.inferSamplesPerSec / doc.results[3].inferSamplesPerSec);
      if (r.engine === 'ort-web-1') expect(r.trainSamplesPerSec).toBeNull();
      else expect(r.trainBatches).toBeGreaterThanOrEqual(3);
    }
  });

  it('without Chromium, says in one line how to get it and exits 0', async () => {
    const missing = { ...process.env, CHROMIUM_PATH: '/nonexistent/chromium' };
    const { stdout, stderr } = await bench(['--browser'], missing);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      'skipped the browser bench: no Chromium at /nonexistent/chromium: install it with `apt-get install chromium` (Debian) or point CHROMIUM_PATH at a Chromium or Chrome binary\n',
    );
  });
});
