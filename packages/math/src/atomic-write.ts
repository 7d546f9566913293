import { randomBytes } from 'node:crypto';
import { cp, link, mkdir, open, readdir, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/**
 * The one atomic write of the project (Node only), shared by `@gruvision/classifier` (model folders,
 * checkpoints, every file the CLI writes) and the `@gruvision/tfjs` file-system handler. Like
 * `readConfinedFile`, it never throws for a failed write: the result says what failed, and each
 * package turns that into its own typed error.
 */

/** A file to write: its name inside the directory, and its bytes. */
export interface FileEntry {
  readonly name: string;
  readonly bytes: Uint8Array;
}

export type AtomicWriteResult =
  | { readonly ok: true }
  /** The directory exists and `isReplaceable` said it is not ours to replace; nothing was written. */
  | { readonly ok: false; readonly problem: 'not-replaceable'; readonly path: string }
  /** The operating system refused (disk full, read-only, permissions); `path` is the file or folder. */
  | { readonly ok: false; readonly problem: 'failed'; readonly path: string; readonly error: unknown };

/** Options of {@link atomicWriteDirectory}. */
export interface AtomicDirectoryOptions {
  /** Whether an existing directory may be replaced (guards against overwriting one that is not ours). */
  readonly isReplaceable: (dir: string) => Promise<boolean>;
  /**
   * Keep the entries of the existing directory that `files` does not name (hard-linked, or copied,
   * into the new one before the swap). Default false: the new directory holds `files` only.
   */
  readonly keepOtherEntries?: boolean;
}

const tmpPrefix = (path: string) => `.${basename(path)}.tmp-`;
const oldPrefix = (dir: string) => `.${basename(dir)}.old-`;

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

async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
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

const failed = (path: string, error: unknown): AtomicWriteResult => ({
  ok: false,
  problem: 'failed',
  path,
  error,
});

/** Writes one file atomically: a temporary file beside it, fsync, rename over the target. */
export async function atomicWriteFile(path: string, bytes: Uint8Array): Promise<AtomicWriteResult> {
  const tmp = join(dirname(path), `${tmpPrefix(path)}${process.pid}-${randomBytes(4).toString('hex')}`);
  try {
    await mkdir(dirname(path), { recursive: true });
    // Temp files of writers killed before their rename.
    await removeSiblings(path, tmpPrefix(path));
    await writeDurable(tmp, bytes);
    await rename(tmp, path);
  } catch (error) {
    await rm(tmp, { force: true }).catch(() => {});
    return failed(path, error);
  }
  await syncDirectory(dirname(path));
  return { ok: true };
}

/**
 * Writes a whole directory so that at every instant `dir` is either absent-with-a-backup, the old
 * complete directory, or the new complete one: files go to a hidden temporary sibling, which is then
 * renamed into place (an existing `dir` is first renamed to a hidden `.old-` sibling, removed after).
 * {@link recoverDirectory} undoes a crash between the two renames; readers call it before reading.
 * A crash therefore never pairs a new file of the folder with an old one (new weights with an old
 * `model.json`).
 */
export async function atomicWriteDirectory(
  dir: string,
  files: readonly FileEntry[],
  options: AtomicDirectoryOptions,
): Promise<AtomicWriteResult> {
  try {
    return await writeDirectory(dir, files, options);
  } catch (error) {
    return failed(dir, error);
  }
}

async function writeDirectory(
  dir: string,
  files: readonly FileEntry[],
  options: AtomicDirectoryOptions,
): Promise<AtomicWriteResult> {
  const parent = dirname(dir);
  await mkdir(parent, { recursive: true });
  await recoverDirectory(dir);
  await removeSiblings(dir, tmpPrefix(dir));
  const replacing = await exists(dir);
  if (replacing && !(await options.isReplaceable(dir)))
    return { ok: false, problem: 'not-replaceable', path: dir };
  const tag = `${process.pid}-${randomBytes(4).toString('hex')}`;
  const tmp = join(parent, `${tmpPrefix(dir)}${tag}`);
  await mkdir(tmp);
  let problem: AtomicWriteResult | undefined;
  try {
    for (const file of files) {
      try {
        await writeDurable(join(tmp, file.name), file.bytes);
      } catch (error) {
        problem = failed(join(dir, file.name), error);
        break;
      }
    }
    if (problem === undefined) {
      if (replacing && options.keepOtherEntries) await carryOver(dir, tmp, new Set(files.map((f) => f.name)));
      await syncDirectory(tmp);
    }
  } catch (error) {
    problem = failed(dir, error);
  }
  if (problem !== undefined) {
    await rm(tmp, { recursive: true, force: true }).catch(() => {});
    return problem;
  }
  if (replacing) {
    const old = join(parent, `${oldPrefix(dir)}${tag}`);
    await rename(dir, old);
    await rename(tmp, dir);
    await syncDirectory(parent);
    await rm(old, { recursive: true, force: true });
  } else {
    await rename(tmp, dir);
    await syncDirectory(parent);
  }
  return { ok: true };
}

/** Puts the entries of `from` that are not `except` into `to`: hard links where possible, else copies. */
async function carryOver(from: string, to: string, except: ReadonlySet<string>): Promise<void> {
  for (const name of await readdir(from)) {
    if (except.has(name)) continue;
    await link(join(from, name), join(to, name)).catch(() =>
      cp(join(from, name), join(to, name), { recursive: true, preserveTimestamps: true }),
    );
  }
}

/**
 * After a crash between the two renames of {@link atomicWriteDirectory}, `dir` is missing and its
 * previous version sits in a hidden `.old-` sibling: put it back. Leftover `.old-` siblings next to a
 * present `dir` are removed. Returns whether something was restored.
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

/**
 * Removes the temporary files a killed writer left beside `path` (by {@link atomicWriteFile}); a writer
 * that still runs keeps its own. A reader calls it when it takes a folder over after a crash.
 */
export async function removeStaleTemporaries(path: string): Promise<void> {
  await removeSiblings(path, tmpPrefix(path)).catch(() => {});
}

/** Removes temporary siblings (`prefix<pid>-…`) left by writers that are gone. */
async function removeSiblings(path: string, prefix: string): Promise<void> {
  const parent = dirname(path);
  for (const name of await readdir(parent)) {
    if (name.startsWith(prefix) && writerIsGone(name, prefix)) {
      await rm(join(parent, name), { recursive: true, force: true });
    }
  }
}
