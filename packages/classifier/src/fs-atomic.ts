import { randomBytes } from 'node:crypto';
import { mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { GruClassifierError } from './errors';

/** A file to write: name inside the directory, and its bytes. */
export interface FileEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

const tmpPrefix = (dir: string) => `.${basename(dir)}.tmp-`;
const oldPrefix = (dir: string) => `.${basename(dir)}.old-`;

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

async function writeDurable(path: string, bytes: Uint8Array): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function syncDirectory(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch {
    // Some file systems cannot fsync a directory; the rename is still atomic there.
  }
}

/** Writes one file atomically: a temporary file beside it, fsync, rename over the target. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const tmp = join(dirname(path), `.${basename(path)}.tmp-${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await writeDurable(tmp, bytes);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  await syncDirectory(dirname(path));
}

/**
 * Writes a whole directory so that at every instant `dir` is either absent-with-a-backup, the old
 * complete directory, or the new complete one: files go to a hidden temporary sibling, which is then
 * renamed into place (an existing `dir` is first renamed to a hidden `.old-` sibling, removed after).
 * `recoverDirectory` undoes a crash between the two renames. `isReplaceable` guards against
 * overwriting a directory that is not ours.
 */
export async function writeDirectoryAtomic(
  dir: string,
  files: readonly FileEntry[],
  isReplaceable: (dir: string) => Promise<boolean>,
): Promise<void> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  await recoverDirectory(dir);
  await removeSiblings(dir, tmpPrefix(dir));
  if ((await exists(dir)) && !(await isReplaceable(dir))) {
    throw new GruClassifierError(
      'INVALID_ARGUMENT',
      `${dir}: exists and is not a gruvision model directory. Choose an empty or new directory; nothing was overwritten.`,
      { file: dir },
    );
  }
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `${tmpPrefix(dir)}${tag}`);
  await mkdir(tmp);
  try {
    for (const file of files) await writeDurable(join(tmp, file.name), file.bytes);
    await syncDirectory(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true });
    throw error;
  }
  if (await exists(dir)) {
    const old = join(parent, `${oldPrefix(dir)}${tag}`);
    await rename(dir, old);
    await rename(tmp, dir);
    await syncDirectory(parent);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, dir);
    await syncDirectory(parent);
  }
}

/**
 * After a crash between the two renames of `writeDirectoryAtomic`, `dir` is missing and its previous
 * version sits in a hidden `.old-` sibling: put it back. Leftover `.old-` siblings next to a present
 * `dir` are removed. Returns whether something was restored.
 */
export async function recoverDirectory(dir: string): Promise<boolean> {
  const parent = dirname(dir);
  let names: string[];
  try {
    names = await readdir(parent);
  } catch {
    return false;
  }
  const olds = names.filter((n) => n.startsWith(oldPrefix(dir)));
  if (olds.length === 0) return false;
  if (await exists(dir)) {
    await removeSiblings(dir, oldPrefix(dir));
    return false;
  }
  await rename(join(parent, olds[0]!), dir);
  for (const extra of olds.slice(1)) await rm(join(parent, extra), { recursive: true, force: true });
  return true;
}

async function removeSiblings(dir: string, prefix: string): Promise<void> {
  const parent = dirname(dir);
  for (const name of await readdir(parent)) {
    if (name.startsWith(prefix)) await rm(join(parent, name), { recursive: true, force: true });
  }
}
