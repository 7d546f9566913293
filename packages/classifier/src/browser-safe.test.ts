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

describe('entries', () => {
  it('the main entry reaches no Node built-in; tfjs only through a lazy import', () => {
    const files = reachable(join(here, 'index.ts'));
    expect(files.size).toBeGreaterThan(10);
    const bare = new Set([...files.values()].flat());
    expect([...bare].sort()).toEqual(['@gruvision/data', '@gruvision/math', '@gruvision/tfjs', 'valibot']);
    const engines = readFileSync(join(here, 'engines.ts'), 'utf8');
    expect(engines).toContain("await import('@gruvision/tfjs')");
    expect(engines).not.toMatch(/from '@gruvision\/tfjs'/);
  });

  it('the node entry is where the file system lives', () => {
    const bare = new Set([...reachable(join(here, 'node.ts')).values()].flat());
    expect(bare.has('node:fs/promises')).toBe(true);
  });
});
