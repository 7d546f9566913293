import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { GruMathError } from '../errors';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol';

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

interface Pending {
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: Error) => void;
}

/** A fixed set of Node worker threads running `ShardWorker`s, one request in flight per worker. */
export class NodeWorkerPool {
  readonly size: number;
  private readonly workers: Worker[];
  private readonly pending: (Pending | undefined)[];
  private failure: GruMathError | undefined;
  private terminating = false;

  private constructor(workers: Worker[]) {
    this.workers = workers;
    this.size = workers.length;
    this.pending = workers.map(() => undefined);
  }

  /** Starts one worker per init and waits until every worker is ready (or one fails). */
  static async start(inits: readonly WorkerInit[], launch: WorkerLaunch): Promise<NodeWorkerPool> {
    const typescript = launch.url.pathname.endsWith('.ts');
    const api = typescript ? tsxApiUrl(launch.url) : '';
    const workers = inits.map((init) => {
      const options = { workerData: init, execArgv: [...launch.execArgv] };
      if (!typescript) return new Worker(launch.url, options);
      const boot = `import(${JSON.stringify(api)}).then((tsx) => { tsx.register(); return import(${JSON.stringify(launch.url.href)}); });`;
      return new Worker(boot, { ...options, eval: true });
    });
    const pool = new NodeWorkerPool(workers);
    const where = launch.url.protocol === 'file:' ? fileURLToPath(launch.url) : launch.url.href;
    // Wait for all of them; report the lowest-numbered failure so the message is reproducible.
    const started = await Promise.allSettled(
      workers.map(
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
      ),
    );
    const failed = started.find((s) => s.status === 'rejected');
    if (failed !== undefined) {
      await pool.terminate();
      throw failed.reason;
    }
    workers.forEach((worker, i) => {
      worker.on('message', (reply: WorkerReply) => pool.settle(i, reply));
      worker.on('error', (error: Error) => pool.fail(i, error.message, error));
      worker.on('exit', (code: number) => pool.fail(i, `it exited with code ${code}`));
      worker.unref();
    });
    return pool;
  }

  /** Sends one request to worker `index`; resolves with its reply, rejects with a `GruMathError`. */
  request(index: number, request: WorkerRequest): Promise<WorkerReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending[index] !== undefined) {
      return Promise.reject(new Error(`worker ${index} already has a request in flight`));
    }
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending[index] = { resolve, reject };
      this.workers[index]!.postMessage(request);
    });
  }

  /** Keeps the process alive while requests are in flight (workers are unref'ed when idle). */
  ref(): void {
    for (const w of this.workers) w.ref();
  }

  unref(): void {
    for (const w of this.workers) w.unref();
  }

  private settle(index: number, reply: WorkerReply): void {
    const pending = this.pending[index];
    if (pending === undefined) return;
    this.pending[index] = undefined;
    if (reply.type !== 'error') {
      pending.resolve(reply);
      return;
    }
    const code = reply.code ?? 'WORKER_FAILED';
    pending.reject(
      new GruMathError(
        code,
        `Parallel worker ${index} of ${this.size} failed: ${reply.name}: ${reply.message}`,
      ),
    );
  }

  private fail(index: number, reason: string, cause?: Error): void {
    if (this.terminating || this.failure !== undefined) return;
    this.failure = new GruMathError(
      'WORKER_FAILED',
      `Parallel worker ${index} of ${this.size} stopped: ${reason}. The network cannot continue; dispose it and create a new one.`,
      cause === undefined ? undefined : { cause },
    );
    for (let i = 0; i < this.size; i++) {
      const pending = this.pending[i];
      this.pending[i] = undefined;
      pending?.reject(this.failure);
    }
    void this.terminate();
  }

  /** The error that stopped the pool, if a worker died. */
  get error(): GruMathError | undefined {
    return this.failure;
  }

  /** Stops every worker. */
  async terminate(): Promise<void> {
    this.terminating = true;
    for (let i = 0; i < this.size; i++) {
      const pending = this.pending[i];
      this.pending[i] = undefined;
      pending?.reject(
        new GruMathError(
          'INVALID_ARGUMENT',
          'The network was disposed while a batch was running on its workers. Await trainBatch/predict before dispose().',
        ),
      );
    }
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
