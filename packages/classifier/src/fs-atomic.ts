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

const causes: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'a directory is in the way',
  ENOTDIR: 'a file is in the way of a directory on the path',
  EMFILE: 'too many open files',
  EIO: 'an input/output error of the device',
};

/** What an errno means, in words, with the code: `no space left on the device (ENOSPC)`. */
export function describeErrno(error: unknown): string {
  const code = (error as NodeJS.ErrnoException)?.code;
  if (typeof code === 'string') return `${causes[code] ?? 'the operating system refused'} (${code})`;
  return error instanceof Error ? error.message : String(error);
}

/** Wraps a failed write in a `WRITE_FAILED` error naming the file and the cause. */
function writeFailed(file: string, error: unknown): GruClassifierError {
  if (GruClassifierError.isInstance(error)) return error;
  return new GruClassifierError(
    'WRITE_FAILED',
    `${file}: could not be written: ${describeErrno(error)}. ` +
      'Free some space or choose a writable folder and run again; files saved before are unchanged.',
    { file, cause: error },
  );
}

/** Whether a temp name written by process `pid` may be removed: its writer is gone (or it is us, after a failure). */
function writerIsGone(name: string, prefix: string): boolean {
  const pid = Number(name.slice(prefix.length).split('-')[0]);
  if (!Number.isInteger(pid) || pid <= 0) return true;
  if (pid === process.pid) return false;
  try {
    process.kill(pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
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
  const prefix = `.${basename(path)}.tmp-`;
  const tmp = join(dirname(path), `${prefix}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dirname(path), { recursive: true });
    // Temp files of writers killed before their rename.
    await removeSiblings(path, prefix);
    await writeDurable(tmp, bytes);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => {});
    throw writeFailed(path, error);
  }
  await syncDirectory(dirname(path));
}

/** Writes several files of one folder, each atomically (text as UTF-8). */
export async function writeFilesAtomic(dir: string, files: readonly FileEntry[]): Promise<void> {
  for (const file of files) await writeFileAtomic(join(dir, file.name), file.bytes);
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
  try {
    await writeDirectoryUnchecked(dir, files, isReplaceable);
  } catch (error) {
    throw writeFailed(dir, error);
  }
}

async function writeDirectoryUnchecked(
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
    for (const file of files) {
      try {
        await writeDurable(join(tmp, file.name), file.bytes);
      } catch (error) {
        throw writeFailed(join(dir, file.name), error);
      }
    }
    await syncDirectory(tmp);
  } catch (error) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
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

/** Removes temporary siblings (`prefix<pid>-…`) left by writers that are gone. */
async function removeSiblings(dir: string, prefix: string): Promise<void> {
  const parent = dirname(dir);
  for (const name of await readdir(parent)) {
    if (name.startsWith(prefix) && writerIsGone(name, prefix)) {
      await rm(join(parent, name), { recursive: true, force: true });
    }
  }
}
