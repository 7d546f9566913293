import * as tf from '@tensorflow/tfjs';
import { GruTfjsError } from './errors';

/** The tfjs backends gruvision can run on, and the engine name each one gets. */
export const tfjsBackends = ['cpu', 'wasm', 'webgl', 'webgpu'] as const;
export type TfjsBackend = (typeof tfjsBackends)[number];
export type TfjsEngineName = `tfjs-${TfjsBackend}`;

/** The engine name of a tfjs backend: `tfjs-cpu`, `tfjs-wasm`, ... */
export function engineName(backend: TfjsBackend): TfjsEngineName {
  return `tfjs-${backend}`;
}

/** Options of {@link initBackend}. */
export interface InitBackendOptions {
  /**
   * `wasm` only: where the `.wasm` binaries are served, a prefix ending in `/` or a map
   * `{ 'tfjs-backend-wasm.wasm': url, 'tfjs-backend-wasm-simd.wasm': url, 'tfjs-backend-wasm-threaded-simd.wasm': url }`
   * (bundlers: import the files as URLs). In Node the installed package's `dist/` folder is used by default.
   */
  readonly wasmPaths?: string | Readonly<Record<string, string>>;
  /** `wasm` only: XNNPACK threads, where the platform allows threads (cross-origin isolated pages). */
  readonly threads?: number;
}

function isNode(): boolean {
  const p = (globalThis as { process?: { versions?: { node?: string } } }).process;
  return typeof p?.versions?.node === 'string';
}

/** The installed `@tensorflow/tfjs-backend-wasm` `dist/` folder (Node only, when resolvable). */
export function nodeWasmDistFolder(): string | undefined {
  const resolve = (import.meta as { resolve?: (specifier: string) => string }).resolve;
  if (!isNode() || typeof resolve !== 'function') return undefined;
  try {
    const url = new URL(resolve('@tensorflow/tfjs-backend-wasm'));
    if (url.protocol !== 'file:') return undefined;
    const path = decodeURIComponent(url.pathname);
    return path.slice(0, path.lastIndexOf('/') + 1);
  } catch {
    return undefined;
  }
}

function unavailable(name: TfjsBackend, reason: string, cause?: unknown): never {
  const instead =
    name === 'webgl' || name === 'webgpu'
      ? isNode()
        ? "GPU backends need a browser; in Node use 'wasm' (fastest without tfjs-node) or 'cpu'."
        : `Use 'wasm' (or 'cpu') on this device${name === 'webgpu' ? ", or 'webgl'" : ''}.`
      : "Use 'cpu', which always works.";
  throw new GruTfjsError(
    'BACKEND_UNAVAILABLE',
    `The tfjs backend "${name}" cannot start: ${reason}. ${instead}`,
    {
      cause,
    },
  );
}

async function prepareWasm(options: InitBackendOptions): Promise<void> {
  let wasm: typeof import('@tensorflow/tfjs-backend-wasm');
  try {
    wasm = await import('@tensorflow/tfjs-backend-wasm');
  } catch (error) {
    unavailable(
      'wasm',
      'the package @tensorflow/tfjs-backend-wasm is not installed (add it next to @tensorflow/tfjs)',
      error,
    );
  }
  if (tf.engine().registry.wasm) return; // already initialized: paths and threads are fixed
  const paths = options.wasmPaths ?? nodeWasmDistFolder();
  if (paths !== undefined) wasm.setWasmPaths(paths as Parameters<typeof wasm.setWasmPaths>[0]);
  if (options.threads !== undefined) {
    if (!Number.isInteger(options.threads) || options.threads < 1) {
      throw new GruTfjsError(
        'INVALID_ARGUMENT',
        `threads must be a positive integer, got ${options.threads}.`,
      );
    }
    wasm.setThreadsCount(options.threads);
  }
}

/**
 * Selects and initializes a tfjs backend and returns the engine name (`'tfjs-wasm'`, ...).
 * Nothing is registered until this is called: `wasm` is imported dynamically from
 * `@tensorflow/tfjs-backend-wasm` (its SIMD binary is used where supported, threads where the
 * platform allows); `webgpu` needs `@tensorflow/tfjs-backend-webgpu` imported by the application.
 * Throws a `GruTfjsError` with code `BACKEND_UNAVAILABLE` that says what to use instead when the
 * backend cannot start (e.g. `webgl` in Node).
 */
export async function initBackend(
  name: TfjsBackend,
  options: InitBackendOptions = {},
): Promise<TfjsEngineName> {
  if (!(tfjsBackends as readonly string[]).includes(name)) {
    throw new GruTfjsError(
      'INVALID_ARGUMENT',
      `Unknown tfjs backend ${JSON.stringify(name)}. Use one of ${tfjsBackends.join(', ')}.`,
    );
  }
  if (name === 'wasm') await prepareWasm(options);
  if (name === 'webgpu' && !tf.findBackendFactory('webgpu')) {
    unavailable(
      'webgpu',
      'no webgpu backend is registered (install @tensorflow/tfjs-backend-webgpu and import it in your app)',
    );
  }
  if (name === 'webgl' && isNode()) unavailable('webgl', 'there is no WebGL in Node');
  let ok: boolean;
  try {
    ok = await tf.setBackend(name);
  } catch (error) {
    unavailable(name, error instanceof Error ? error.message : String(error), error);
  }
  if (!ok || tf.getBackend() !== name) unavailable(name, 'its initialization failed on this device');
  await tf.ready();
  return engineName(name);
}

/** Capabilities of the current backend, for reports: SIMD and threads apply to `wasm`. */
export function backendInfo(): { backend: string; simd: boolean; threads: number } {
  const backend = tf.getBackend();
  const flag = (key: string): boolean => {
    try {
      return tf.env().getBool(key);
    } catch {
      return false;
    }
  };
  const wasmBackend =
    backend === 'wasm' ? (tf.backend() as unknown as { getThreadsCount?: () => number }) : undefined;
  return {
    backend,
    simd: backend === 'wasm' && flag('WASM_HAS_SIMD_SUPPORT'),
    threads:
      backend === 'wasm' && flag('WASM_HAS_MULTITHREAD_SUPPORT')
        ? (wasmBackend?.getThreadsCount?.() ?? 1)
        : 1,
  };
}
