import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const here = dirname(fileURLToPath(import.meta.url));

/** Every source file the main entry reaches through relative imports, with its bare imports. */
function reachable(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'/g)].map((m) => m[1]!);
    seen.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers.filter((s) => s.startsWith('.'))) visit(join(dirname(file), `${s}.ts`));
  };
  visit(entry);
  return seen;
}

describe('main entry', () => {
  it('reaches no Node built-in and no node/ module (browser-safe)', () => {
    const files = reachable(join(here, 'index.ts'));
    expect(files.size).toBeGreaterThan(10);
    for (const [file, bare] of files) {
      expect(file.includes(`${join(here, 'node')}/`), file).toBe(false);
      expect(
        // `@gruvision/math`'s main entry is browser-safe by its own contract (Node only behind `/node`).
        bare.filter((s) => !['fast-png', 'jpeg-js', 'fflate', '@gruvision/math'].includes(s)),
        file,
      ).toEqual([]);
    }
  });
});
