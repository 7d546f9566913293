// Prints examples/library.ts with the test shortcuts applied (one epoch on 1 000 MNIST images), importing
// `quickData` from ./quick-data.ts beside it — for running the README example against packed tarballs.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyShortcuts, libraryExampleShortcuts, repoRoot } from '../src/readme-blocks';

const library = readFileSync(join(repoRoot, 'examples', 'library.ts'), 'utf8');
process.stdout.write(
  applyShortcuts(library, libraryExampleShortcuts('./quick-data.ts'), 'examples/library.ts'),
);
