import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import * as pkg from './index';

describe('@gruvision/tfjs entry', () => {
  it('has no import side effects: no backend, kernel or layer registration', () => {
    expect(typeof pkg.registerLayers).toBe('function');
    expect(tf.findBackendFactory('wasm')).toBeFalsy();
    expect(pkg.layersRegistered()).toBe(false);
    const [, fromConfig] = tf.serialization.SerializationMap.getMap().classNameMap.GRU!;
    expect(fromConfig).toBe(tf.serialization.SerializationMap.getMap().classNameMap.GRU![0].fromConfig);
  });

  it('exports the public API', () => {
    for (const name of [
      'buildModel',
      'buildRecurrentLayer',
      'KerasGRU',
      'registerLayers',
      'loadModel',
      'toTfjsWeights',
      'getNamedWeights',
      'setNamedWeights',
      'initBackend',
      'memoryHandler',
      'tfjsEngine',
      'GruTfjsError',
    ]) {
      expect(pkg, name).toHaveProperty(name);
    }
    expect(pkg.tfjsBackends.map(pkg.engineName)).toEqual([
      'tfjs-cpu',
      'tfjs-wasm',
      'tfjs-webgl',
      'tfjs-webgpu',
    ]);
  });
});
