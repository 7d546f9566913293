// The built package must find its worker: `dist/node.js` (or a chunk beside it) spawns
// `new URL('./parallel-worker.js', import.meta.url)`. Builds the package with its own tsup config into
// a temporary directory (JavaScript only) and trains over 2 threads from plain Node, without tsx.
import { execFile } from 'node:child_process';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { build } from 'tsup';
import { afterAll, describe, expect, it } from 'vitest';
import config from '../../tsup.config';

const root = path.resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('built package', () => {
  it('spawns dist/parallel-worker.js from dist/node.js and trains like the single-thread engine', async () => {
    const out = await mkdtemp(path.join(tmpdir(), 'gruvision-math-dist-'));
    dirs.push(out);
    const options = Array.isArray(config) ? config[0] : config;
    if (options === undefined || typeof options === 'function') {
      throw new Error('tsup.config.ts must export an object');
    }
    await build({
      ...options,
      entry: options.entry,
      outDir: out,
      dts: false,
      sourcemap: false,
      clean: false,
      silent: true,
      config: false,
      tsconfig: path.join(root, 'tsconfig.json'),
    });
    expect((await readdir(out)).filter((f) => !f.startsWith('chunk-')).sort()).toEqual([
      'browser.js',
      'index.js',
      'kernels.js',
      'node.js',
      'parallel-browser-worker.js',
      'parallel-worker.js',
    ]);
    // Like the published package: "type": "module" makes dist/*.js ES modules.
    await writeFile(path.join(out, 'package.json'), '{ "type": "module" }\n');
    const script = path.join(out, 'check.js');
    await writeFile(
      script,
      `import { MathNetwork } from './index.js';
import { parallelMathEngine } from './node.js';
const spec = { timeSteps: 4, features: 3, classes: 3, layers: [{ cell: 'gru', units: 5 }] };
const x = Float32Array.from({ length: 6 * 12 }, (_, i) => Math.sin(i));
const y = Int32Array.of(0, 1, 2, 0, 1, 2);
const net = await parallelMathEngine({ threads: 2 }).create(spec, { seed: 1 });
const ref = new MathNetwork(spec, { seed: 1 });
const a = await net.trainBatch(x, y, 6);
const b = await ref.trainBatch(x, y, 6);
net.dispose();
process.stdout.write(JSON.stringify({ threads: net.threads, diff: Math.abs(a.loss - b.loss), execArgv: process.execArgv }));
`,
    );
    const { stdout } = await promisify(execFile)(process.execPath, [script], { cwd: out, timeout: 30_000 });
    const result = JSON.parse(stdout) as { threads: number; diff: number; execArgv: string[] };
    expect(result.threads).toBe(2);
    expect(result.diff).toBeLessThan(1e-6);
    expect(result.execArgv).toEqual([]);
  });
});
