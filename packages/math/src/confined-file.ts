import { constants } from 'node:fs';
import { open, realpath } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

/** Why `readConfinedFile` refused a file; each package turns this into its own typed error. */
export type ConfinedFileProblem =
  /** The name is not a plain relative path (absolute, `..`, NUL byte, empty part). */
  | 'unsafe-name'
  /** The file (or a link on its way) resolves outside the directory. */
  | 'outside'
  /** Nothing there, or a dangling link. */
  | 'missing'
  /** A FIFO, socket, device (`/dev/zero`) or directory: not a regular file. */
  | 'not-regular'
  /** Larger than `maxBytes`. */
  | 'too-large'
  /** Not the size the caller expected. */
  | 'size-mismatch'
  /** Could not be read for another reason (permissions, I/O error). */
  | 'unreadable';

export type ConfinedFileResult =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly path: string }
  | {
      readonly ok: false;
      readonly problem: ConfinedFileProblem;
      /** What was found, for the message: a size, a resolved path, an errno code. Never file contents. */
      readonly detail: string;
      readonly path: string;
    };

/** A plain relative path inside a directory: no absolute paths, no `..`, no empty or `.` parts, no NUL. */
export function isPlainRelativePath(name: string): boolean {
  if (name.length === 0 || name.length > 255 || name.includes('\0')) return false;
  if (name.startsWith('/') || name.startsWith('\\') || /^[a-zA-Z]:/.test(name) || name.includes('://')) {
    return false;
  }
  return name.split(/[\\/]/).every((p) => p !== '' && p !== '.' && p !== '..');
}

/**
 * Reads `name` inside `dir` the way every gruvision loader reads an untrusted model folder (one set of
 * checks, shared by `loadClassifier` and the tfjs file-system handler):
 * the name is a plain relative path; the file, after following links, is still inside `dir`; it is a
 * regular file (never a FIFO, socket or device — it is opened non-blocking and checked with `fstat`, so
 * a FIFO cannot hang the reader and `/dev/zero` cannot fill memory); its size is at most `maxBytes`
 * (and exactly `expectedBytes` when given) before a single byte is read. Never throws for bad input:
 * the result says what was wrong, without any of the file's contents.
 */
export async function readConfinedFile(
  dir: string,
  name: string,
  options: { readonly maxBytes: number; readonly expectedBytes?: number },
): Promise<ConfinedFileResult> {
  const path = join(dir, name);
  const fail = (problem: ConfinedFileProblem, detail: string): ConfinedFileResult => ({
    ok: false,
    problem,
    detail,
    path,
  });
  if (!isPlainRelativePath(name)) return fail('unsafe-name', JSON.stringify(name.slice(0, 80)));
  let realDir: string;
  let real: string;
  try {
    realDir = await realpath(dir);
  } catch (error) {
    return fail('missing', (error as NodeJS.ErrnoException).code ?? 'unknown');
  }
  try {
    real = await realpath(join(realDir, name));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return fail(code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', code);
  }
  const rel = relative(realDir, real);
  if (rel === '' || rel === '..' || rel.startsWith(`..${sep}`) || rel.startsWith(sep)) {
    return fail('outside', real);
  }
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting forever.
    handle = await open(real, constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOFOLLOW);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unknown';
    return fail(code === 'ENOENT' ? 'missing' : code === 'ELOOP' ? 'outside' : 'unreadable', code);
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) {
      const kind = stats.isFIFO()
        ? 'a FIFO'
        : stats.isCharacterDevice() || stats.isBlockDevice()
          ? 'a device'
          : stats.isDirectory()
            ? 'a directory'
            : stats.isSocket()
              ? 'a socket'
              : 'not a regular file';
      return fail('not-regular', kind);
    }
    if (stats.size > options.maxBytes) return fail('too-large', String(stats.size));
    if (options.expectedBytes !== undefined && stats.size !== options.expectedBytes) {
      return fail('size-mismatch', String(stats.size));
    }
    const bytes = new Uint8Array(stats.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) break;
      at += bytesRead;
    }
    if (at !== stats.size) return fail('size-mismatch', `${at} (changed while read)`);
    // One more byte would mean the file grew after fstat.
    const { bytesRead: extra } = await handle.read(new Uint8Array(1), 0, 1, at);
    if (extra !== 0) return fail('size-mismatch', `more than ${at} (changed while read)`);
    return { ok: true, bytes, path };
  } catch (error) {
    return fail('unreadable', (error as NodeJS.ErrnoException).code ?? 'unknown');
  } finally {
    await handle.close();
  }
}
