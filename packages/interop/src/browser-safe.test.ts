import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Every source file an entry reaches through relative imports, with its bare (package) imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'|import\('([^']+)'\)/g)].map(
      (m) => (m[1] ?? m[2])!,
    );
    seen.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers.filter((s) => s.startsWith('.'))) visit(join(dirname(file), `${s}.ts`));
  };
  visit(entry);
  return seen;
}

describe('entry', () => {
  it('reaches only the math core and the ONNX protobuf code: no Node built-in, no runtime, no test helper', () => {
    const files = reachable(join(here, 'index.ts'));
    expect(files.size).toBeGreaterThan(6);
    expect([...new Set([...files.values()].flat())].sort()).toEqual(['@gruvision/math', 'onnx-proto']);
    expect([...files.keys()].some((f) => /\/(test-models|ort)\.ts$/.test(f))).toBe(false);
  });
});
