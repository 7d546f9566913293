import { GruMathError } from '../errors';
import { mathBitsDependOn } from '../reduction';
import { activeKernels } from '../wasm/runtime';
import { checkThreads, type ParallelMathEngine, ParallelMathNetwork } from './parallel-network';
import { awaitReady, type WorkerPort } from './pool';
import type { WorkerInit, WorkerReply } from './protocol';

/** Options of the data-parallel math engine in browsers (Web Workers + SharedArrayBuffer). */
export interface BrowserParallelEngineOptions {
  /** Web Workers; every batch is split into this many shards. Default: `navigator.hardwareConcurrency`. */
  readonly threads?: number;
  /**
   * The worker script, a module worker. Default: `parallel-browser-worker.js` beside this module (the
   * package's `dist/`). With a bundler, emit `@gruvision/math/parallel-browser-worker` as its own entry
   * and pass its URL, e.g. Vite: `new URL('@gruvision/math/parallel-browser-worker', import.meta.url)`.
   */
  readonly workerUrl?: URL | string;
}

/** Starts one module Web Worker per init and waits until every worker is ready (or one fails). */
async function startBrowserPool(inits: readonly WorkerInit[], url: URL) {
  const workers = inits.map(() => new Worker(url, { type: 'module' }));
  const ready = workers.map(
    (worker, i) =>
      new Promise<void>((resolve, reject) => {
        worker.onerror = (event) => {
          event.preventDefault();
          reject(
            new GruMathError(
              'WORKER_FAILED',
              `Parallel worker ${i} of ${workers.length} failed to start from ${url.href}: ${event.message || 'the script could not be loaded'}. Check that the worker script is served at that URL (emit @gruvision/math/parallel-browser-worker with your bundler, or pass workerUrl).`,
            ),
          );
        };
        worker.onmessage = (event: MessageEvent<WorkerReply>) => {
          if (event.data.type === 'ready') resolve();
        };
        worker.postMessage({ type: 'init', init: inits[i] });
      }),
  );
  const ports: WorkerPort[] = workers.map((worker) => ({
    post: (request) => worker.postMessage(request),
    terminate: () => worker.terminate(),
  }));
  const pool = await awaitReady(ports, ready);
  workers.forEach((worker, i) => {
    worker.onmessage = (event: MessageEvent<WorkerReply>) => pool.settle(i, event.data);
    worker.onerror = (event) => {
      event.preventDefault();
      pool.fail(i, event.message || 'an uncaught error');
    };
  });
  return pool;
}

/**
 * The math engine trained and run over `threads` Web Workers sharing the weights through
 * `SharedArrayBuffer`, which browsers only provide to cross-origin isolated pages: serve the page with
 * `Cross-Origin-Opener-Policy: same-origin` and `Cross-Origin-Embedder-Policy: require-corp`.
 * Same semantics as `parallelMathEngine` in Node (fixed-shard reduction: bit-identical to `mathEngine`
 * on any thread count).
 */
export function browserParallelMathEngine(options: BrowserParallelEngineOptions = {}): ParallelMathEngine {
  const threads =
    options.threads ?? (typeof navigator === 'object' ? Math.max(1, navigator.hardwareConcurrency || 1) : 1);
  checkThreads(threads);
  const url =
    options.workerUrl === undefined
      ? new URL('./parallel-browser-worker.js', import.meta.url)
      : new URL(options.workerUrl, typeof location === 'object' ? location.href : undefined);
  return {
    name: 'math',
    threads,
    bitsDependOn: () => mathBitsDependOn(activeKernels()),
    create: (spec, networkOptions) =>
      ParallelMathNetwork.create(spec, networkOptions, threads, (inits) => startBrowserPool(inits, url)),
  };
}
