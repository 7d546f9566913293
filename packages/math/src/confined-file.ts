import { constants, type Stats } from 'node:fs';
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

/** What a file-system entry is when it is not a regular file (from `fstat`). */
export type NonRegularKind = 'directory' | 'fifo' | 'socket' | 'character-device' | 'block-device' | 'other';

/** The outcome of `readRegularFile`: the bytes, or why there are none (never the file's contents). */
export type RegularFileResult =
  | {
      readonly ok: true;
      /** The bytes read: fewer than `size` when the file shrank while it was read. */
      readonly bytes: Uint8Array;
      /** The size `fstat` reported before reading. */
      readonly size: number;
      /** True when the file had more bytes than `size` by the end of the read (it grew). */
      readonly grew: boolean;
    }
  | { readonly ok: false; readonly problem: 'open-failed' | 'read-failed'; readonly cause: unknown }
  | { readonly ok: false; readonly problem: 'not-regular'; readonly kind: NonRegularKind }
  | { readonly ok: false; readonly problem: 'too-large' | 'size-mismatch'; readonly size: number };

function nonRegularKind(stats: Stats): NonRegularKind {
  if (stats.isDirectory()) return 'directory';
  if (stats.isFIFO()) return 'fifo';
  if (stats.isSocket()) return 'socket';
  if (stats.isCharacterDevice()) return 'character-device';
  if (stats.isBlockDevice()) return 'block-device';
  return 'other';
}

/**
 * The one guarded file read of gruvision: opens `path` non-blocking (a FIFO without a writer cannot hang
 * it; with `noFollow`, a final symbolic link is refused by `open`), checks with `fstat` that it is a
 * regular file (never a FIFO, socket or device such as `/dev/zero`) of at most `maxBytes` (and exactly
 * `expectedBytes` when given), and only then reads it. Never throws: the result says what was wrong. `readConfinedFile` (model folders) and
 * `@gruvision/data`'s `readFileBytes` (datasets, images) are built on it.
 */
export async function readRegularFile(
  path: string,
  options: { readonly maxBytes: number; readonly expectedBytes?: number; readonly noFollow?: boolean },
): Promise<RegularFileResult> {
  let handle: Awaited<ReturnType<typeof open>>;
  try {
    const flags = constants.O_RDONLY | constants.O_NONBLOCK | (options.noFollow ? constants.O_NOFOLLOW : 0);
    handle = await open(path, flags);
  } catch (cause) {
    return { ok: false, problem: 'open-failed', cause };
  }
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) return { ok: false, problem: 'not-regular', kind: nonRegularKind(stats) };
    if (stats.size > options.maxBytes) return { ok: false, problem: 'too-large', size: stats.size };
    if (options.expectedBytes !== undefined && stats.size !== options.expectedBytes) {
      return { ok: false, problem: 'size-mismatch', size: stats.size };
    }
    const bytes = new Uint8Array(stats.size);
    let at = 0;
    while (at < bytes.length) {
      const { bytesRead } = await handle.read(bytes, at, bytes.length - at, at);
      if (bytesRead === 0) break; // the file shrank while it was read
      at += bytesRead;
    }
    // One more byte would mean the file grew after fstat.
    const { bytesRead: extra } = await handle.read(new Uint8Array(1), 0, 1, at);
    return {
      ok: true,
      bytes: at === bytes.length ? bytes : bytes.subarray(0, at),
      size: stats.size,
      grew: extra !== 0,
    };
  } catch (cause) {
    return { ok: false, problem: 'read-failed', cause };
  } finally {
    await handle.close().catch(() => undefined);
  }
}

const CONFINED_KIND: Record<NonRegularKind, string> = {
  directory: 'a directory',
  fifo: 'a FIFO',
  socket: 'a socket',
  'character-device': 'a device',
  'block-device': 'a device',
  other: 'not a regular file',
};

function errnoCode(cause: unknown): string {
  return (cause as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
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
  // O_NONBLOCK: opening a FIFO without a writer returns at once instead of waiting forever.
  const read = await readRegularFile(real, { ...options, noFollow: true });
  if (!read.ok) {
    switch (read.problem) {
      case 'open-failed': {
        const code = errnoCode(read.cause);
        return fail(code === 'ENOENT' ? 'missing' : code === 'ELOOP' ? 'outside' : 'unreadable', code);
      }
      case 'read-failed':
        return fail('unreadable', errnoCode(read.cause));
      case 'not-regular':
        return fail('not-regular', CONFINED_KIND[read.kind]);
      case 'too-large':
      case 'size-mismatch':
        return fail(read.problem, String(read.size));
    }
  }
  const { bytes, size } = read;
  if (bytes.length !== size) return fail('size-mismatch', `${bytes.length} (changed while read)`);
  if (read.grew) return fail('size-mismatch', `more than ${size} (changed while read)`);
  return { ok: true, bytes, path };
}
