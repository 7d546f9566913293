import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll } from 'vitest';

/**
 * A temporary folder for the tests of one file: made before the first test (in a `beforeAll` registered
 * now, so it runs before the file's own) and removed after the last. The returned function gives its path.
 */
export function useTempFolder(name: string): () => string {
  let root: string | undefined;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), `gruvision-${name}-`));
  });
  afterAll(async () => {
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });
  return () => {
    if (root === undefined)
      throw new Error('useTempFolder: the folder is made in beforeAll; ask for it in a hook or test.');
    return root;
  };
}
