import { describe, expect, it } from 'vitest';
import { engineName, tfjsBackends } from './index';

describe('engineName', () => {
  it('prefixes every backend with tfjs-', () => {
    expect(tfjsBackends.map(engineName)).toEqual(['tfjs-cpu', 'tfjs-wasm', 'tfjs-webgl', 'tfjs-webgpu']);
  });
});
