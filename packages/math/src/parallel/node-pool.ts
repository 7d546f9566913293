import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GruMathError } from '../errors';
import { awaitReady, type ShardPool, type WorkerPort } from './pool';
import type { WorkerInit, WorkerReply } from './protocol';

/** How worker threads are started. */
export interface WorkerLaunch {
  /** The worker script: built JavaScript, or a TypeScript source (then loaded through tsx). */
  readonly url: URL;
  /** Extra Node flags for every worker. */
  readonly execArgv: readonly string[];
}

/**
 * Where the worker script lives by default: beside the running module. From the TypeScript sources
 * (tests, `tsx` scripts) that is `src/parallel/worker.ts`; from a build (the package's `dist/`, or a
 * bundle that emits the worker entry as `parallel-worker.js` next to itself) `./parallel-worker.js`.
 */
export function defaultWorkerUrl(moduleUrl: string = import.meta.url): URL {
  return moduleUrl.endsWith('.ts')
    ? new URL('./worker.ts', moduleUrl)
    : new URL('./parallel-worker.js', moduleUrl);
}

/** The `import` entry of `tsx/esm/api` (its `register()` installs the TypeScript loader in a thread). */
function tsxApiUrl(from: URL): string {
  try {
    const require = createRequire(from);
    const pkgPath = require.resolve('tsx/package.json');
    const pkg = JSON.parse(readFileSync(pkgPath, 'utf8')) as {
      exports?: Record<string, { import?: { default?: string } } | string>;
    };
    const entry = pkg.exports?.['./esm/api'];
    const rel = typeof entry === 'object' ? entry.import?.default : undefined;
    if (rel === undefined) throw new Error('tsx has no "./esm/api" import entry');
    return new URL(rel, pathToFileURL(pkgPath)).href;
  } catch (error) {
    throw new GruMathError(
      'WORKER_FAILED',
      `Cannot start a TypeScript worker (${fileURLToPath(from)}): tsx is needed to load it and could not be resolved (${(error as Error).message}). Install tsx, or build @gruvision/math and use its dist/ (or pass workerUrl pointing to a built parallel-worker.js).`,
      { cause: error },
    );
  }
}

/** A Node `worker_threads` worker as a pool port. */
function nodePort(worker: Worker): WorkerPort {
  return {
    post: (request) => worker.postMessage(request),
    terminate: () => worker.terminate(),
    ref: () => worker.ref(),
    unref: () => worker.unref(),
  };
}

/** Starts one Node worker thread per init and waits until every worker is ready (or one fails). */
export async function startNodePool(inits: readonly WorkerInit[], launch: WorkerLaunch): Promise<ShardPool> {
  const typescript = launch.url.pathname.endsWith('.ts');
  const api = typescript ? tsxApiUrl(launch.url) : '';
  const workers = inits.map((init) => {
    const options = { workerData: init, execArgv: [...launch.execArgv] };
    if (!typescript) return new Worker(launch.url, options);
    const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(launch.url.href)}); });`;
    return new Worker(boot, { ...options, eval: true });
  });
  const where = launch.url.protocol === 'file:' ? fileURLToPath(launch.url) : launch.url.href;
  const ready = workers.map(
    (worker, i) =>
      new Promise<void>((resolve, reject) => {
        const onError = (error: Error): void => {
          reject(
            new GruMathError(
              'WORKER_FAILED',
              `Parallel worker ${i} of ${workers.length} failed to start from ${where}: ${error.message}. Check that the worker script exists (a bundler must emit @gruvision/math's parallel worker as parallel-worker.js next to the bundle, or pass workerUrl).`,
              { cause: error },
            ),
          );
        };
        const onExit = (code: number): void => {
          onError(new Error(`it exited with code ${code} before it was ready`));
        };
        worker.once('error', onError);
        worker.once('exit', onExit);
        worker.once('message', (reply: WorkerReply) => {
          worker.off('error', onError);
          worker.off('exit', onExit);
          if (reply.type === 'ready') resolve();
          else onError(new Error(`its first message was "${reply.type}" instead of "ready"`));
        });
      }),
  );
  const pool = await awaitReady(workers.map(nodePort), ready);
  workers.forEach((worker, i) => {
    worker.on('message', (reply: WorkerReply) => pool.settle(i, reply));
    worker.on('error', (error: Error) => pool.fail(i, error.message, error));
    worker.on('exit', (code: number) => pool.fail(i, `it exited with code ${code}`));
    worker.unref();
  });
  return pool;
}
