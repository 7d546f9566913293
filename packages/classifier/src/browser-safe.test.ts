import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reachableImports } from '../../../scripts/entry-imports';

const here = dirname(fileURLToPath(import.meta.url));

describe('entries', () => {
  it('the main entry reaches no Node built-in; tfjs only through a lazy import', () => {
    const files = reachableImports(join(here, 'index.ts'));
    expect(files.size).toBeGreaterThan(10);
    const bare = new Set([...files.values()].flat());
    expect([...bare].sort()).toEqual(['@gruvision/data', '@gruvision/math', '@gruvision/tfjs', 'valibot']);
    const engines = readFileSync(join(here, 'engines.ts'), 'utf8');
    expect(engines).toContain("await import('@gruvision/tfjs')");
    expect(engines).not.toMatch(/from '@gruvision\/tfjs'/);
  });

  it('the node entry is where the file system lives', () => {
    const bare = new Set([...reachableImports(join(here, 'node.ts')).values()].flat());
    expect(bare.has('node:fs/promises')).toBe(true);
  });
});
