import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { reachableImports } from '../../../scripts/entry-imports';

const here = dirname(fileURLToPath(import.meta.url));

describe('main entry', () => {
  it('reaches no Node built-in and no node/ module (browser-safe)', () => {
    const files = reachableImports(join(here, 'index.ts'));
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
