import { availableParallelism } from 'node:os';
import { GruMathError } from '../errors';
import { mathBitsDependOn } from '../reduction';
import { activeKernels } from '../wasm/runtime';
import { defaultWorkerUrl, startNodePool } from './node-pool';
import { checkThreads, type ParallelMathEngine, ParallelMathNetwork } from './parallel-network';

/** Options of the data-parallel math engine in Node. */
export interface ParallelEngineOptions {
  /** Worker threads; every batch is split into this many contiguous shards. Default: the core count. */
  readonly threads?: number;
  /**
   * The worker script. Default: `parallel-worker.js` beside the running module (the package's `dist/`,
   * or a bundle that emitted the worker entry next to itself); from the TypeScript sources, `worker.ts`
   * loaded through tsx. A `.ts` URL is loaded through tsx too.
   */
  readonly workerUrl?: URL | string;
  /** Extra Node flags for the workers. Default `['--conditions=@gruvision/source']` from sources, else none. */
  readonly execArgv?: readonly string[];
}

function toUrl(location: URL | string): URL {
  if (location instanceof URL) return location;
  try {
    return new URL(location);
  } catch {
    throw new GruMathError(
      'INVALID_ARGUMENT',
      `workerUrl must be a URL (e.g. new URL('./parallel-worker.js', import.meta.url) or a file:// string), got ${JSON.stringify(location)}.`,
    );
  }
}

/**
 * The math engine trained and run over `threads` Node worker threads. Same weights, options and
 * artifacts as `mathEngine`, bit for bit on any thread count (see `REDUCTION_SHARDS`).
 */
export function parallelMathEngine(options: ParallelEngineOptions = {}): ParallelMathEngine {
  const threads = options.threads ?? availableParallelism();
  checkThreads(threads);
  const url = options.workerUrl !== undefined ? toUrl(options.workerUrl) : defaultWorkerUrl();
  const fromSources = url.pathname.endsWith('.ts');
  const execArgv = options.execArgv ?? (fromSources ? ['--conditions=@gruvision/source'] : []);
  return {
    name: 'math',
    threads,
    bitsDependOn: () => mathBitsDependOn(activeKernels()),
    create: (spec, networkOptions) =>
      ParallelMathNetwork.create(spec, networkOptions, threads, (inits) =>
        startNodePool(inits, { url, execArgv }),
      ),
  };
}
