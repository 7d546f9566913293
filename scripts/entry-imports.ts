// Test helper shared by the packages' browser-safe tests (classifier, data, interop): which files an entry
// reaches and which packages they import, read from the source as text. It lives at the root so that each
// package can use it without an import arrow between packages.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * Every source file an entry reaches through relative imports (static, and `import('./x')`), each with its
 * bare (package) imports, static or dynamic. A data file (`'../package.json'`) is reached and imports nothing.
 */
export function reachableImports(entry: string): Map<string, string[]> {
  const seen = new Map<string, string[]>();
  const visit = (file: string) => {
    if (seen.has(file)) return;
    if (!file.endsWith('.ts')) {
      seen.set(file, []);
      return;
    }
    const text = readFileSync(file, 'utf8');
    const specifiers = [...text.matchAll(/(?:import|export)[^'"]*from\s+'([^']+)'|import\('([^']+)'\)/g)].map(
      (m) => (m[1] ?? m[2])!,
    );
    seen.set(
      file,
      specifiers.filter((s) => !s.startsWith('.')),
    );
    for (const s of specifiers.filter((s) => s.startsWith('.'))) {
      visit(join(dirname(file), /\.json$/.test(s) ? s : `${s}.ts`));
    }
  };
  visit(entry);
  return seen;
}
