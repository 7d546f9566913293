import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';

/** A fresh temporary folder, removed after the current test. */
export function useTempDir(): () => string {
  const dirs: string[] = [];
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });
  return () => {
    const dir = mkdtempSync(join(tmpdir(), 'gruvision-data-'));
    dirs.push(dir);
    return dir;
  };
}

/** Runs `body` and returns what it threw (fails the test when it does not throw). */
export async function thrown(
  body: () => Promise<unknown>,
): Promise<Error & { code?: string; file?: string }> {
  try {
    await body();
  } catch (error) {
    return error as Error & { code?: string; file?: string };
  }
  throw new Error('expected the call to throw');
}

/** A resolver that behaves like Node's for a package that is not installed. */
export function missingPackage(request: string): never {
  throw Object.assign(new Error(`Cannot find module '${request}'`), { code: 'MODULE_NOT_FOUND' });
}
