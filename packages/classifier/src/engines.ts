import type { Engine } from '@gruvision/math';
import { mathEngine } from '@gruvision/math';
import { GruClassifierError } from './errors';

/** Engines known by name. `'math'` is built in; the `tfjs-*` ones need `@gruvision/tfjs` and `@tensorflow/tfjs`. */
export type EngineName = 'math' | 'tfjs-cpu' | 'tfjs-wasm' | 'tfjs-webgl' | 'tfjs-webgpu';

/** An engine object, or the name of one. */
export type EngineOption = Engine | EngineName;

export const ENGINE_NAMES: readonly EngineName[] = [
  'math',
  'tfjs-cpu',
  'tfjs-wasm',
  'tfjs-webgl',
  'tfjs-webgpu',
];

/**
 * Resolves an engine option. `tfjs-*` names load `@gruvision/tfjs` lazily (so the main entry never
 * pulls TensorFlow.js in) and initialize the backend; a missing package is a clear error.
 */
export async function resolveEngine(engine: EngineOption | undefined): Promise<Engine> {
  if (engine === undefined || engine === 'math') return mathEngine;
  if (typeof engine === 'object' && engine !== null && typeof engine.create === 'function') return engine;
  if (typeof engine !== 'string' || !ENGINE_NAMES.includes(engine)) {
    throw new GruClassifierError(
      'INVALID_ARGUMENT',
      `Unknown engine ${JSON.stringify(engine)}. Use one of ${ENGINE_NAMES.join(', ')}, or pass an Engine object.`,
    );
  }
  const backend = engine.slice('tfjs-'.length) as 'cpu' | 'wasm' | 'webgl' | 'webgpu';
  let tfjs: typeof import('@gruvision/tfjs');
  try {
    tfjs = await import('@gruvision/tfjs');
  } catch (error) {
    throw new GruClassifierError(
      'ENGINE_UNAVAILABLE',
      `Engine ${engine} needs the packages @gruvision/tfjs and @tensorflow/tfjs, which could not be loaded. ` +
        'Install them (e.g. `pnpm add @gruvision/tfjs @tensorflow/tfjs`) or use the built-in engine "math".',
      { cause: error },
    );
  }
  try {
    await tfjs.initBackend(backend);
    return tfjs.tfjsEngine(backend);
  } catch (error) {
    throw new GruClassifierError(
      'ENGINE_UNAVAILABLE',
      `Engine ${engine} could not start its TensorFlow.js backend "${backend}": ${(error as Error).message} ` +
        'Choose another backend (tfjs-cpu works everywhere) or the built-in engine "math".',
      { cause: error },
    );
  }
}
