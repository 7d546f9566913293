import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type Browser, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, expect, inject } from 'vitest';

export const resultsDir = fileURLToPath(new URL('../.test-results/', import.meta.url));
export const fixture = (name: string): string =>
  fileURLToPath(new URL(`./fixtures/${name}`, import.meta.url));

/** Debian's Chromium, headless, no network side traffic. */
export async function launch(): Promise<Browser> {
  mkdirSync(resultsDir, { recursive: true });
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * One browser for the test file that calls this (launched before its tests, closed after them) and the
 * URL of the built site that `global-setup.ts` serves.
 */
export function useBrowser(): { baseUrl: string; browser: () => Browser } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  return {
    baseUrl: inject('baseUrl'),
    browser: () => {
      if (!browser) throw new Error('The browser is not launched yet: call it inside a test.');
      return browser;
    },
  };
}

/** A page plus every console error, page error and failed request it produced. */
export interface WatchedPage {
  readonly page: Page;
  readonly errors: string[];
}

export interface PageOptions {
  /** Keep the page's service worker out (so `page.route` sees every request). */
  readonly blockServiceWorkers?: boolean;
  readonly deviceScaleFactor?: number;
  readonly hasTouch?: boolean;
}

export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
  options: PageOptions = {},
): Promise<WatchedPage> {
  const context = await browser.newContext({
    viewport,
    deviceScaleFactor: options.deviceScaleFactor ?? 1,
    hasTouch: options.hasTouch ?? false,
    serviceWorkers: options.blockServiceWorkers ? 'block' : 'allow',
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`console.error: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`page error: ${err.message}`));
  page.on('requestfailed', (req) =>
    errors.push(`request failed: ${req.url()} ${req.failure()?.errorText ?? ''}`),
  );
  page.on('response', (res) => {
    if (res.status() >= 400) errors.push(`HTTP ${res.status()}: ${res.url()}`);
  });
  await page.goto(url);
  return { page, errors };
}

/** `openPage`, then waits until the first model is loaded. */
export async function openReady(
  browser: Browser,
  url: string,
  viewport?: { width: number; height: number },
  options: PageOptions = {},
): Promise<WatchedPage> {
  const watched = await openPage(browser, url, viewport, options);
  await waitReady(watched.page);
  return watched;
}

/** Ends a test's page: it must have logged no errors (but those `allowed` matches), then it is closed. */
export async function closeClean(
  { page, errors }: WatchedPage,
  allowed: (error: string) => boolean = () => false,
): Promise<void> {
  expect(errors.filter((e) => !allowed(e))).toEqual([]);
  await page.context().close();
}

/**
 * Waits until `data-<key>` of the element `[data-testid=testId]` equals `equals`, or as a number is at
 * least `atLeast`. The page's state, never a sleep.
 */
export async function waitForData(
  page: Page,
  testId: string,
  key: string,
  want: { readonly equals: string } | { readonly atLeast: number },
  timeout = 60_000,
): Promise<void> {
  await page.waitForFunction(
    ({ testId, key, want }) => {
      const value = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.dataset[key];
      return 'equals' in want ? value === want.equals : Number(value ?? Number.NaN) >= want.atLeast;
    },
    { testId, key, want },
    { timeout },
  );
}

/** Opens the Train tab, sets the form (fields left out keep their defaults) and starts a run. */
export async function startTraining(
  page: Page,
  form: { readonly units?: number; readonly samples?: number; readonly epochs?: number } = {},
): Promise<void> {
  await page.getByRole('tab', { name: 'Train in the browser' }).click();
  for (const [field, value] of Object.entries(form))
    await page.locator(`#train-${field}`).fill(String(value));
  await page.getByTestId('train-start').click();
}

/** Waits until the page reports an error in its status line. */
export async function waitError(page: Page): Promise<void> {
  await page.waitForFunction(() => document.body.dataset.error === 'true');
}

/** Picks an engine in the menu and waits until the model runs on it. */
export async function useEngine(page: Page, engine: string): Promise<void> {
  await page.getByTestId('engine-select').selectOption(engine);
  await waitReady(page);
}

/** Waits until the model is loaded (or fails the test with the page's status text). */
export async function waitReady(page: Page, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    () => document.body.dataset.ready === 'true' || document.body.dataset.error === 'true',
    undefined,
    { timeout },
  );
  const error = await page.evaluate(() =>
    document.body.dataset.error === 'true' ? document.getElementById('status')?.textContent : null,
  );
  if (error) throw new Error(`The page reported: ${error}`);
}

/** Draws polylines (in fractions of the canvas, 0..1) with real mouse events. */
export async function drawStrokes(
  page: Page,
  strokes: ReadonlyArray<ReadonlyArray<readonly [number, number]>>,
): Promise<void> {
  const box = await page.getByTestId('draw-canvas').boundingBox();
  if (!box) throw new Error('The drawing canvas is not visible.');
  const at = ([fx, fy]: readonly [number, number]): [number, number] => [
    box.x + fx * box.width,
    box.y + fy * box.height,
  ];
  for (const stroke of strokes) {
    const [first, ...rest] = stroke;
    if (!first) continue;
    await page.mouse.move(...at(first));
    await page.mouse.down();
    for (const p of rest) await page.mouse.move(...at(p), { steps: 6 });
    await page.mouse.up();
  }
}

/** A vertical bar: a clear "1". */
export const one: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = [
  [
    [0.5, 0.18],
    [0.5, 0.5],
    [0.5, 0.82],
  ],
];

/** An ellipse: a clear "0". */
export const zero: ReadonlyArray<ReadonlyArray<readonly [number, number]>> = [
  Array.from({ length: 33 }, (_, i) => {
    const a = (i / 32) * 2 * Math.PI;
    return [0.5 + 0.22 * Math.sin(a), 0.5 - 0.32 * Math.cos(a)] as const;
  }),
];

/** The top-1 label once the prediction for the latest drawing has arrived. */
export async function top1(page: Page, timeout = 30_000): Promise<string> {
  await page.waitForFunction(
    () => {
      const list = document.querySelector<HTMLElement>('[data-testid="top3"]');
      return list?.dataset.state === 'idle' && list.querySelector('li') !== null;
    },
    undefined,
    { timeout },
  );
  return (await page.locator('[data-testid="top3"] li').first().getAttribute('data-label')) ?? '';
}

/** Parses the page's latency text ("12.3 ms", "1.23 s") into milliseconds. */
export function parseLatency(text: string): number {
  const m = /([\d.]+) (ms|s) on /.exec(text);
  if (!m) throw new Error(`No latency in "${text}".`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}

/** The number of predictions rendered so far (the top-3 list's `data-count`). */
export function resultCount(page: Page): Promise<string | null> {
  return page.getByTestId('top3').getAttribute('data-count');
}

/** Runs `action` (a drawing, a pick, an upload) and gives the top-1 label of the prediction it caused. */
export async function readAfter(
  page: Page,
  action: () => Promise<unknown>,
  timeout = 60_000,
): Promise<string> {
  const before = await resultCount(page);
  await action();
  await nextResult(page, before, timeout);
  return top1(page);
}

/** Waits for the next rendered prediction (the count on the top-3 list changes and nothing is pending). */
export async function nextResult(page: Page, before: string | null, timeout = 60_000): Promise<void> {
  await page.waitForFunction(
    (n) => {
      const list = document.querySelector<HTMLElement>('[data-testid="top3"]')!;
      return list.dataset.count !== (n ?? undefined) && list.dataset.state === 'idle';
    },
    before,
    { timeout },
  );
}
