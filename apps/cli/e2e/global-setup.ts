import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Builds `dist/bin.js` once before the end-to-end tests run the real binary. */
export default function setup(): void {
  const cwd = join(dirname(fileURLToPath(import.meta.url)), '..');
  execFileSync('pnpm', ['exec', 'tsup', '--silent'], { cwd, stdio: 'inherit' });
}
