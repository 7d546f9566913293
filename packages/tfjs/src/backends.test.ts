import { existsSync } from 'node:fs';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { backendInfo, engineName, initBackend, nodeWasmDistFolder, tfjsBackends } from './backends';
import { GruTfjsError } from './errors';

describe('initBackend', () => {
  it('starts cpu and wasm in Node and returns the engine name', async () => {
    expect(await initBackend('cpu')).toBe('tfjs-cpu');
    expect(tf.getBackend()).toBe('cpu');
    expect(await initBackend('wasm')).toBe('tfjs-wasm');
    expect(tf.getBackend()).toBe('wasm');
    const info = backendInfo();
    expect(info.backend).toBe('wasm');
    expect(info.simd).toBe(true); // Node 20 runs the SIMD binary
    expect(info.threads).toBeGreaterThanOrEqual(1);
    expect(tf.tidy(() => tf.add(tf.tensor1d([1, 2]), 1).dataSync())).toEqual(new Float32Array([2, 3]));
  });

  it("finds the installed wasm binaries in Node (the package's dist folder)", () => {
    const folder = nodeWasmDistFolder();
    expect(folder).toMatch(/tfjs-backend-wasm\/dist\/$/);
    expect(existsSync(`${folder}tfjs-backend-wasm-simd.wasm`)).toBe(true);
  });

  it('says what to use instead when webgl or webgpu cannot start in Node', async () => {
    const webgl = await initBackend('webgl').catch((e: unknown) => e);
    expect(webgl).toBeInstanceOf(GruTfjsError);
    expect((webgl as GruTfjsError).code).toBe('BACKEND_UNAVAILABLE');
    expect((webgl as GruTfjsError).message).toBe(
      `The tfjs backend "webgl" cannot start: there is no WebGL in Node. GPU backends need a browser; in Node use 'wasm' (fastest without tfjs-node) or 'cpu'.`,
    );
    await expect(initBackend('webgpu')).rejects.toThrow(
      /"webgpu" cannot start: no webgpu backend is registered \(install @tensorflow\/tfjs-backend-webgpu and import it in your app\)\. GPU backends need a browser/,
    );
  });

  it('rejects unknown backends and bad thread counts', async () => {
    await expect(initBackend('tpu' as 'cpu')).rejects.toThrow(
      'Unknown tfjs backend "tpu". Use one of cpu, wasm, webgl, webgpu.',
    );
    expect(tfjsBackends.map(engineName)).toEqual(['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu']);
  });
});
