import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { repoRoot } from './readme-blocks';

interface PackageJson {
  name: string;
  exports: Record<string, string | { types?: string }>;
  typesVersions?: Record<string, Record<string, string[]>>;
}

// TypeScript's `moduleResolution: "node"` (node10) ignores `exports`; `typesVersions` is how it finds
// the types of a subpath such as `@gruvision/data/node` (else TS2307).
describe('types for moduleResolution "node"', () => {
  for (const name of ['math', 'data', 'tfjs', 'classifier']) {
    it(`@gruvision/${name} maps every typed subpath export in typesVersions`, () => {
      const pkg = JSON.parse(
        readFileSync(join(repoRoot, 'packages', name, 'package.json'), 'utf8'),
      ) as PackageJson;
      const typed = Object.entries(pkg.exports).filter(
        (entry): entry is [string, { types: string }] =>
          entry[0] !== '.' && typeof entry[1] === 'object' && typeof entry[1].types === 'string',
      );
      expect(typed.length).toBeGreaterThan(0);
      for (const [subpath, target] of typed) {
        expect(pkg.typesVersions?.['*']?.[subpath.slice(2)], `${pkg.name}${subpath.slice(1)}`).toEqual([
          target.types,
        ]);
      }
    });
  }
});
