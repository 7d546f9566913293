import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reachableImports } from '../../../scripts/entry-imports';

const here = dirname(fileURLToPath(import.meta.url));

describe('entry', () => {
  it('reaches only the math core and the ONNX protobuf code: no Node built-in, no runtime, no test helper', () => {
    const files = reachableImports(join(here, 'index.ts'));
    expect(files.size).toBeGreaterThan(6);
    expect([...new Set([...files.values()].flat())].sort()).toEqual(['@gruvision/math', 'onnx-proto']);
    expect([...files.keys()].some((f) => /\/(test-models|ort)\.ts$/.test(f))).toBe(false);
  });
});
