// The browser half of the data-parallel math engine, in headless Chromium:
//
//   pnpm --filter @gruvision/math test:browser          # CHROMIUM=/path/to/chrome to choose the binary
//
// Bundles e2e/browser-page.ts and the Web Worker entry with tsup, serves them (1) cross-origin isolated
// (COOP/COEP headers) and (2) without those headers, and checks: 2 workers train like MathNetwork to
// float rounding, deterministically, `threads: 1` equals MathNetwork bit for bit; without isolation
// `create` fails with the SharedArrayBuffer message. Not part of `pnpm test` (it needs a browser).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'tsup';

const root = path.resolve(import.meta.dirname, '..');
const out = await mkdtemp(path.join(tmpdir(), 'gruvision-math-browser-'));
await build({
  entry: {
    page: path.join(root, 'e2e/browser-page.ts'),
    'parallel-browser-worker': path.join(root, 'src/parallel/browser-worker.ts'),
  },
  outDir: out,
  format: ['esm'],
  platform: 'browser',
  target: 'es2022',
  silent: true,
  config: false,
  tsconfig: path.join(root, 'tsconfig.json'),
});
await writeFile(
  path.join(out, 'index.html'),
  '<!doctype html><script type="module" src="/page.js"></script>\n',
);

async function runPage(isolated: boolean): Promise<Record<string, unknown>> {
  let resolveResult: (value: Record<string, unknown>) => void = () => undefined;
  const result = new Promise<Record<string, unknown>>((resolve) => {
    resolveResult = resolve;
  });
  const server = createServer(async (req, res) => {
    if (req.method === 'POST' && req.url === '/result') {
      let body = '';
      for await (const chunk of req) body += chunk;
      res.end('ok');
      resolveResult(JSON.parse(body) as Record<string, unknown>);
      return;
    }
    const file = path.join(out, req.url === '/' ? 'index.html' : (req.url ?? '').split('?')[0]!);
    try {
      const data = await readFile(file);
      const headers: Record<string, string> = {
        'content-type': file.endsWith('.html') ? 'text/html' : 'text/javascript',
      };
      if (isolated) {
        headers['cross-origin-opener-policy'] = 'same-origin';
        headers['cross-origin-embedder-policy'] = 'require-corp';
      }
      res.writeHead(200, headers).end(data);
    } catch {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  const browser = spawn(
    process.env.CHROMIUM ?? '/usr/bin/chromium',
    [
      '--headless=new',
      '--no-sandbox',
      '--disable-gpu',
      `--user-data-dir=${path.join(out, `profile-${isolated}`)}`,
      `http://127.0.0.1:${port}/`,
    ],
    { stdio: 'ignore' },
  );
  const timeout = new Promise<never>((_, reject) => {
    setTimeout(() => reject(new Error('no result from the page within 120 s')), 120_000).unref();
  });
  try {
    return await Promise.race([result, timeout]);
  } finally {
    const exited = once(browser, 'exit');
    browser.kill();
    await exited;
    server.close();
  }
}

const failures: string[] = [];
const isolatedResult = await runPage(true);
process.stdout.write(`cross-origin isolated: ${JSON.stringify(isolatedResult)}\n`);
if (isolatedResult.error !== undefined) failures.push(`isolated page failed: ${isolatedResult.error}`);
if (isolatedResult.isolated !== true) failures.push('the page was not cross-origin isolated');
if (isolatedResult.threads !== 2) failures.push('expected 2 workers');
if (isolatedResult.oneEqualsMath !== true) failures.push('threads: 1 differs from MathNetwork');
if (isolatedResult.deterministic !== true) failures.push('two runs with 2 workers differ');
if (!((isolatedResult.maxWeightDiffVsMath as number) < 1e-5))
  failures.push('weights differ from MathNetwork');
if (!((isolatedResult.maxPredictDiffVsMath as number) < 1e-5)) failures.push('predictions differ');
const plainResult = await runPage(false);
process.stdout.write(`not isolated: ${JSON.stringify(plainResult)}\n`);
if (!String(plainResult.error).includes('SharedArrayBuffer is not available')) {
  failures.push('without COOP/COEP, create() should fail with the SharedArrayBuffer message');
}
await rm(out, { recursive: true, force: true });
if (failures.length > 0) {
  process.stderr.write(`FAILED:\n${failures.join('\n')}\n`);
  process.exit(1);
}
process.stdout.write('browser parallel engine: all checks passed\n');
