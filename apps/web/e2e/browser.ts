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

/** Where and how `open` shows the demo: a query string, the viewport, and the page's options. */
export interface OpenOptions extends PageOptions {
  /** Added to the site's URL, e.g. `?engine=tfjs-cpu`. */
  readonly query?: string;
  readonly viewport?: { width: number; height: number };
}

/**
 * The demo for the test file that calls this: one browser (launched before its tests, closed after them)
 * on the built site that `global-setup.ts` serves; `open` gives a page with the first model loaded.
 */
export function useSite(): { open: (options?: OpenOptions) => Promise<DemoPage> } {
  let browser: Browser | undefined;
  beforeAll(async () => {
    browser = await launch();
  });
  afterAll(async () => {
    await browser?.close();
  });
  const baseUrl = inject('baseUrl');
  return {
    open: async ({ query = '', viewport, ...options } = {}) => {
      if (!browser) throw new Error('The browser is not launched yet: call it inside a test.');
      const demo = await openPage(browser, `${baseUrl}${query}`, viewport, options);
      await demo.waitReady();
      return demo;
    },
  };
}

export interface PageOptions {
  /** Keep the page's service worker out (so `page.route` sees every request). */
  readonly blockServiceWorkers?: boolean;
  readonly deviceScaleFactor?: number;
  readonly hasTouch?: boolean;
}

/** A new page (in its own context) at `url`, watched for console errors, page errors and failed requests. */
export async function openPage(
  browser: Browser,
  url: string,
  viewport = { width: 1280, height: 900 },
  options: PageOptions = {},
): Promise<DemoPage> {
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
  return new DemoPage(page, errors);
}

/** A drawing: polylines in fractions of the pad (0..1). */
export type Strokes = ReadonlyArray<ReadonlyArray<readonly [number, number]>>;

/**
 * The demo's page as a test uses it: the playwright `page`, every console error, page error and failed
 * request it produced (`errors`), and what a user does on it. Waits are on the page's state, never sleeps.
 */
export class DemoPage {
  constructor(
    readonly page: Page,
    readonly errors: string[],
  ) {}

  /** Ends the test's page: it must have logged no errors (but those `allowed` matches), then it is closed. */
  async closeClean(allowed: (error: string) => boolean = () => false): Promise<void> {
    expect(this.errors.filter((e) => !allowed(e))).toEqual([]);
    await this.page.context().close();
  }

  /**
   * Waits until `data-<key>` of the element `[data-testid=testId]` equals `equals`, or as a number is at
   * least `atLeast`.
   */
  async waitForData(
    testId: string,
    key: string,
    want: { readonly equals: string } | { readonly atLeast: number },
    timeout = 60_000,
  ): Promise<void> {
    await this.page.waitForFunction(
      ({ testId, key, want }) => {
        const value = document.querySelector<HTMLElement>(`[data-testid="${testId}"]`)?.dataset[key];
        return 'equals' in want ? value === want.equals : Number(value ?? Number.NaN) >= want.atLeast;
      },
      { testId, key, want },
      { timeout },
    );
  }

  /** Opens the Train tab, sets the form (fields left out keep their defaults) and starts a run. */
  async startTraining(
    form: { readonly units?: number; readonly samples?: number; readonly epochs?: number } = {},
  ): Promise<void> {
    await this.page.getByRole('tab', { name: 'Train in the browser' }).click();
    for (const [field, value] of Object.entries(form))
      await this.page.locator(`#train-${field}`).fill(String(value));
    await this.page.getByTestId('train-start').click();
  }

  /** Waits until the page reports an error in its status line. */
  async waitError(): Promise<void> {
    await this.page.waitForFunction(() => document.body.dataset.error === 'true');
  }

  /** Picks an engine in the menu and waits until the model runs on it. */
  async useEngine(engine: string): Promise<void> {
    await this.page.getByTestId('engine-select').selectOption(engine);
    await this.waitReady();
  }

  /** Waits until the model is loaded (or fails the test with the page's status text). */
  async waitReady(timeout = 60_000): Promise<void> {
    await this.page.waitForFunction(
      () => document.body.dataset.ready === 'true' || document.body.dataset.error === 'true',
      undefined,
      { timeout },
    );
    const error = await this.page.evaluate(() =>
      document.body.dataset.error === 'true' ? document.getElementById('status')?.textContent : null,
    );
    if (error) throw new Error(`The page reported: ${error}`);
  }

  /** From now on, the body size of every finished response (as it crossed the wire) by its path. */
  recordFetched(): Map<string, number> {
    const fetched = new Map<string, number>();
    this.page.on('requestfinished', async (req) => {
      fetched.set(new URL(req.url()).pathname, (await req.sizes()).responseBodySize);
    });
    return fetched;
  }

  /** Clears the drawing pad. */
  async clear(): Promise<void> {
    await this.page.getByTestId('clear').click();
  }

  /** Draws `strokes` on the pad with real mouse events. */
  async draw(strokes: Strokes): Promise<void> {
    const box = await this.page.getByTestId('draw-canvas').boundingBox();
    if (!box) throw new Error('The drawing canvas is not visible.');
    const at = ([fx, fy]: readonly [number, number]): [number, number] => [
      box.x + fx * box.width,
      box.y + fy * box.height,
    ];
    for (const stroke of strokes) {
      const [first, ...rest] = stroke;
      if (!first) continue;
      await this.page.mouse.move(...at(first));
      await this.page.mouse.down();
      for (const p of rest) await this.page.mouse.move(...at(p), { steps: 6 });
      await this.page.mouse.up();
    }
  }

  /** The top-1 label once the prediction for the latest drawing has arrived. */
  async top1(timeout = 30_000): Promise<string> {
    await this.page.waitForFunction(
      () => {
        const list = document.querySelector<HTMLElement>('[data-testid="top3"]');
        return list?.dataset.state === 'idle' && list.querySelector('li') !== null;
      },
      undefined,
      { timeout },
    );
    return (await this.page.locator('[data-testid="top3"] li').first().getAttribute('data-label')) ?? '';
  }

  /** The number of predictions rendered so far (the top-3 list's `data-count`). */
  resultCount(): Promise<string | null> {
    return this.page.getByTestId('top3').getAttribute('data-count');
  }

  /** Runs `action` (a drawing, a pick, an upload) and gives the top-1 label of the prediction it caused. */
  async readAfter(action: () => Promise<unknown>, timeout = 60_000): Promise<string> {
    const before = await this.resultCount();
    await action();
    await this.nextResult(before, timeout);
    return this.top1();
  }

  /** Waits for the next rendered prediction (the count on the top-3 list changes and nothing is pending). */
  async nextResult(before: string | null, timeout = 60_000): Promise<void> {
    await this.page.waitForFunction(
      (n) => {
        const list = document.querySelector<HTMLElement>('[data-testid="top3"]')!;
        return list.dataset.count !== (n ?? undefined) && list.dataset.state === 'idle';
      },
      before,
      { timeout },
    );
  }
}

/** A vertical bar: a clear "1". */
export const one: Strokes = [
  [
    [0.5, 0.18],
    [0.5, 0.5],
    [0.5, 0.82],
  ],
];

/** An ellipse: a clear "0". */
export const zero: Strokes = [
  Array.from({ length: 33 }, (_, i) => {
    const a = (i / 32) * 2 * Math.PI;
    return [0.5 + 0.22 * Math.sin(a), 0.5 - 0.32 * Math.cos(a)] as const;
  }),
];

/** Parses the page's latency text ("12.3 ms", "1.23 s") into milliseconds. */
export function parseLatency(text: string): number {
  const m = /([\d.]+) (ms|s) on /.exec(text);
  if (!m) throw new Error(`No latency in "${text}".`);
  return Number(m[1]) * (m[2] === 's' ? 1000 : 1);
}
