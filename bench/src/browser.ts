// `pnpm bench --browser`: the math core against onnxruntime-web in one page of headless Chromium.
// Builds the page (`browser/page.ts`, with Vite), serves it cross-origin isolated (COOP/COEP: shared
// WebAssembly memory for the math kernels' arena and the Web Worker engine) from 127.0.0.1, with
// onnxruntime-web's .wasm file (no other network: every request elsewhere is refused), launches Chromium
// with playwright-core, checks that every engine's class probabilities agree with onnxruntime-web's
// (max |Δ| ≤ 1e-5) and only then measures, after one untimed warm-up pass, interleaved: per measure (inference, one image, training),
// every row in turn, reading the CPU time of the page's process (Chrome DevTools Protocol
// `Performance.getMetrics` → ProcessTime, which counts the page's Web Workers too) around each one.
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { type Browser, type CDPSession, chromium, type Page } from 'playwright-core';
import type { GruBench } from './browser/page';
import type { Agreement, Measure, PageInfo } from './browser/protocol';
import { BATCH, CLASSES, FEATURES, TIME_STEPS, UNITS } from './common';
import type { PeerRow, SkippedRow } from './peers';
import { medianRow, type PeersTable } from './report';

/** Rows of the browser bench, in the order they are measured. */
export const BROWSER_ROWS = ['math-wasm', 'math-wasm-simd', 'math-threads-2', 'ort-web-1'] as const;
const TRAINS = (row: string): boolean => row.startsWith('math-');

/** A row measured in the page: a `PeerRow` without peak memory (all rows share the page's process). */
export type BrowserRow = Omit<PeerRow, 'peakMemoryMB'>;

export interface BrowserBenchOptions {
  /** Seconds per training measurement; inference gets half. */
  readonly budget: number;
  /** Rows to measure (ort-web-1 is always added: it is the reference of the agreement check). */
  readonly rows: readonly string[];
  /** Rounds of the interleaved measurements; each number is the median over them. */
  readonly rounds: number;
  /** Progress lines. */
  readonly log: (message: string) => void;
}

export interface BrowserBenchResult {
  /** Chromium's version, as playwright-core reports it. */
  readonly browser: string;
  readonly page: PageInfo;
  readonly agreement: Agreement;
  /** Empty when the agreement check failed: nothing is measured then. */
  readonly rows: BrowserRow[];
}

/** A browser-bench row name of the page: BROWSER_ROWS, or math-threads-N for any N ≥ 1. */
export function isBrowserRow(row: string): boolean {
  return (BROWSER_ROWS as readonly string[]).includes(row) || /^math-threads-[1-9]\d*$/.test(row);
}

/** The Chromium binary: $CHROMIUM_PATH, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  return process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
}

/** Why the browser bench cannot run here (one line on how to get Chromium), or null. */
export function browserMissing(): SkippedRow | null {
  const executable = chromiumPath();
  if (existsSync(executable)) return null;
  return {
    engine: 'chromium',
    skipped: `no Chromium at ${executable}: install it with \`apt-get install chromium\` (Debian) or point CHROMIUM_PATH at a Chromium or Chrome binary`,
  };
}

const pageDir = fileURLToPath(new URL('./browser/', import.meta.url));

/**
 * Bundles the page with Vite (the workspace packages from their TypeScript sources) into `outDir`; Vite
 * emits onnxruntime-web's .wasm (which its bundle finds with `new URL(…, import.meta.url)`) beside it.
 */
async function buildPage(outDir: string): Promise<void> {
  const { build, defaultClientConditions } = await import('vite');
  await build({
    configFile: false,
    root: pageDir,
    logLevel: 'error',
    resolve: { conditions: ['@gruvision/source', ...defaultClientConditions] },
    worker: { format: 'es' },
    build: { outDir, emptyOutDir: true, target: 'es2022', reportCompressedSize: false },
  });
}

const TYPES: Record<string, string> = {
  '.html': 'text/html',
  '.js': 'text/javascript',
  '.mjs': 'text/javascript',
  '.wasm': 'application/wasm',
};

/** Serves the built page, cross-origin isolated. */
async function serve(outDir: string): Promise<{ server: Server; origin: string }> {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const file = path.join(outDir, url.pathname === '/' ? 'index.html' : path.normalize(url.pathname));
    try {
      const data = await readFile(file);
      res
        .writeHead(200, {
          'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream',
          'cross-origin-opener-policy': 'same-origin',
          'cross-origin-embedder-policy': 'require-corp',
        })
        .end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return { server, origin: `http://127.0.0.1:${port}` };
}

/** Headless Chromium with no side traffic (the flags of apps/web's end-to-end tests). */
function launch(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath(),
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** CPU seconds of the page's process so far (all its threads, Web Workers included). */
async function processSeconds(cdp: CDPSession): Promise<number> {
  const { metrics } = await cdp.send('Performance.getMetrics');
  const value = metrics.find((m) => m.name === 'ProcessTime')?.value;
  if (value === undefined) throw new Error('Chromium reported no ProcessTime metric (DevTools Protocol).');
  return value;
}

/** Opens the page, fails on any page error or request outside the origin, and waits until it is ready. */
async function openPage(browser: Browser, origin: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console.error: ${message.text()}`);
  });
  await page.route('**/*', (route) => {
    if (route.request().url().startsWith(`${origin}/`)) return route.continue();
    errors.push(`refused a request outside the page's origin: ${route.request().url()}`);
    return route.abort();
  });
  await page.goto(`${origin}/`);
  await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, { timeout: 120_000 });
  return { page, errors };
}

/**
 * Builds and serves the page, runs the agreement check and, when it passes, the interleaved
 * measurements of `options.rows`. Throws when the page fails; a missing Chromium is for the caller to
 * check first (`browserMissing`).
 */
export async function browserBench(options: BrowserBenchOptions): Promise<BrowserBenchResult> {
  const { budget, rounds, log } = options;
  const rows = [...new Set([...options.rows, 'ort-web-1'])];
  const outDir = await mkdtemp(path.join(tmpdir(), 'gruvision-browser-bench-'));
  let server: Server | undefined;
  let browser: Browser | undefined;
  try {
    log('browser bench: building the page (Vite)');
    await buildPage(outDir);
    const served = await serve(outDir);
    server = served.server;
    browser = await launch();
    log(`browser bench: Chromium ${browser.version()}, headless; loading the page`);
    const { page, errors } = await openPage(browser, served.origin);
    const cdp = await page.context().newCDPSession(page);
    await cdp.send('Performance.enable');
    const call = <K extends keyof GruBench>(
      name: K,
      ...args: Parameters<GruBench[K]>
    ): Promise<Awaited<ReturnType<GruBench[K]>>> =>
      page.evaluate(
        ([name, args]) =>
          (
            (globalThis as unknown as { gruBench: Record<string, (...a: unknown[]) => unknown> }).gruBench[
              name
            ]! as (...a: unknown[]) => Promise<never>
          )(...args),
        [name, args] as [string, unknown[]],
      ) as Promise<Awaited<ReturnType<GruBench[K]>>>;
    const info = await call('setup', rows);
    log(
      `browser bench: ${info.crossOriginIsolated ? 'cross-origin isolated' : 'NOT cross-origin isolated'}, relaxed SIMD ${info.relaxedSimd ? 'available' : 'unavailable'}, onnxruntime-web ${info.ortVersion}, ONNX model ${info.onnxBytes} bytes (@gruvision/interop)`,
    );
    const agreement = await call('agreement');
    log(`browser bench: agreement with ort-web-1 on ${agreement.images} images: ${agreementText(agreement)}`);
    if (errors.length > 0) throw new Error(`The bench page failed:\n${errors.join('\n')}`);
    if (!agreement.passed) return { browser: browser.version(), page: info, agreement, rows: [] };

    const latencyRuns = budget >= 1 ? 201 : 11;
    const timed = async (row: string, what: Measure, seconds: number) => {
      const cpu = await processSeconds(cdp);
      const { runs, ms } = await call('measure', row, what, seconds, latencyRuns);
      return { runs, ms, cpuSeconds: (await processSeconds(cdp)) - cpu };
    };
    // One untimed pass first: V8 compiles hot WebAssembly functions again with its optimizing tier in
    // background threads of the page's process; that CPU time would otherwise land on the first rows.
    for (const row of rows) {
      log(`browser bench: ${row} warming up`);
      for (const what of ['infer', 'train'] as const) {
        if (what === 'infer' || TRAINS(row)) await call('measure', row, what, budget / 4, latencyRuns);
      }
    }
    const measured = new Map<string, BrowserRow[]>();
    for (let round = 0; round < rounds; round++) {
      if (rounds > 1) log(`browser bench: round ${round + 1} of ${rounds}`);
      const byRow = new Map(
        rows.map((row) => [row, {} as Record<Measure, Awaited<ReturnType<typeof timed>>>]),
      );
      for (const what of ['infer', 'latency', 'train'] as const) {
        for (const row of rows) {
          if (what === 'train' && !TRAINS(row)) continue;
          log(`browser bench: ${row} ${what}`);
          byRow.get(row)![what] = await timed(row, what, what === 'train' ? budget : budget / 2);
        }
      }
      for (const [row, m] of byRow) {
        const perSec = (t: { runs: number; ms: number } | undefined) =>
          t === undefined ? null : (t.runs * BATCH * 1000) / t.ms;
        const perCpuSec = (t: { runs: number; cpuSeconds: number } | undefined) =>
          t === undefined ? null : (t.runs * BATCH) / t.cpuSeconds;
        const result: BrowserRow = {
          engine: row,
          threads: Number(/-(\d+)$/.exec(row)?.[1] ?? 1),
          trainSamplesPerSec: perSec(m.train),
          inferSamplesPerSec: perSec(m.infer)!,
          trainSamplesPerCpuSec: perCpuSec(m.train),
          inferSamplesPerCpuSec: perCpuSec(m.infer)!,
          latencyMs: m.latency.ms,
          trainBatches: m.train?.runs ?? 0,
          inferBatches: m.infer.runs,
        };
        measured.set(row, [...(measured.get(row) ?? []), result]);
      }
    }
    if (errors.length > 0) throw new Error(`The bench page failed:\n${errors.join('\n')}`);
    return {
      browser: browser.version(),
      page: info,
      agreement,
      rows: rows.map((row) => medianRow(measured.get(row)! as PeerRow[]) as BrowserRow),
    };
  } finally {
    await browser?.close();
    server?.close();
    await rm(outDir, { recursive: true, force: true });
  }
}

/** Each engine's max |Δ probability| against ort-web-1, the bound, and whether all are within it. */
export function agreementText(agreement: Agreement): string {
  const rows = Object.entries(agreement.maxAbsDiff).map(([row, d]) => `${row} ${d.toExponential(2)}`);
  return `max |Δ probability| ${rows.join(', ')} (bound ${agreement.tolerance}: ${agreement.passed ? 'passed' : 'FAILED'})`;
}

/** `benchmark` of the browser run's JSON document. */
export const BROWSER_BENCHMARK = `GRU-${UNITS} MNIST rows, Chromium`;

/** The browser run's peers table: ratios to ort-web-1 and math-wasm, the page's facts around it. */
export function browserTable(result: BrowserBenchResult): PeersTable {
  const { page, agreement } = result;
  const gemm = page.relaxedSimd
    ? 'relaxed-SIMD GEMM (f32x4.relaxed_madd)'
    : 'plain-SIMD GEMM (no relaxed SIMD here)';
  return {
    benchmark: BROWSER_BENCHMARK,
    heading: [
      `GRU-${UNITS} on MNIST rows in one page of headless Chromium ${result.browser}: batch ${BATCH}, ${TIME_STEPS} steps x ${FEATURES} features, ${CLASSES} classes, Adam (${page.crossOriginIsolated ? 'cross-origin isolated' : 'NOT cross-origin isolated'}, node ${process.version}`,
      "samples per second of wall-clock time (/s) and of the page's process CPU time (/cpu-s, DevTools ProcessTime: 10 ms ticks); ratios to rows of this run, measured interleaved",
      `math-wasm: the math core's WASM kernels, ${gemm}; math-wasm-simd: the plain-SIMD GEMM; math-threads-N: the math engine over N Web Workers; ort-web-1: onnxruntime-web ${page.ortVersion} wasm, 1 thread, inference only, on @gruvision/interop's ONNX export of the same weights`,
    ],
    references: ['ort-web-1', 'math-wasm'],
    latencyReference: 'ort-web-1',
    peakMemory: false,
    extraJson: { browser: result.browser, page, agreement },
    footer: [`agreement with ort-web-1 on ${agreement.images} images: ${agreementText(agreement)}`],
  };
}
