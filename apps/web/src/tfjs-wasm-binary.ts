// Which of TensorFlow.js' three wasm binaries this browser starts from, read the way tfjs reads it. Its own
// module, imported lazily by the inference worker: named imports of `@tensorflow/tfjs` keep the bundle
// tree-shaken (a dynamic `import('@tensorflow/tfjs')` would keep every export of tfjs, ~0.2 MB more).
import { engine, env } from '@tensorflow/tfjs';

/** The file names tfjs asks `setWasmPaths` for. */
export type WasmBinaryName =
  | 'tfjs-backend-wasm.wasm'
  | 'tfjs-backend-wasm-simd.wasm'
  | 'tfjs-backend-wasm-threaded-simd.wasm';

/**
 * The binary tfjs' wasm backend will load (threaded SIMD, SIMD or plain, by its `WASM_HAS_*` flags), or
 * null once that backend runs (tfjs reads its binary once).
 */
export async function wasmBinaryToLoad(): Promise<WasmBinaryName | null> {
  if (engine().registry.wasm) return null;
  await import('@tensorflow/tfjs-backend-wasm'); // registers the WASM_HAS_* flags
  const [simd, threads] = await Promise.all([
    env().getAsync('WASM_HAS_SIMD_SUPPORT'),
    env().getAsync('WASM_HAS_MULTITHREAD_SUPPORT'),
  ]);
  if (!simd) return 'tfjs-backend-wasm.wasm';
  return threads ? 'tfjs-backend-wasm-threaded-simd.wasm' : 'tfjs-backend-wasm-simd.wasm';
}
