import { join } from 'node:path';
import {
  type AtomicWriteResult,
  atomicWriteDirectory,
  atomicWriteFile,
  describeErrno,
  type FileEntry,
} from '@gruvision/math/node';
import { GruClassifierError } from './errors';

// The atomic writes themselves live in `@gruvision/math/node` (shared with the tfjs file-system
// handler); this file turns their results into the classifier's typed errors.
export type { FileEntry } from '@gruvision/math/node';
export { describeErrno, recoverDirectory } from '@gruvision/math/node';

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

function check(result: AtomicWriteResult): void {
  if (result.ok) return;
  if (result.problem === 'failed') throw writeFailed(result.path, result.error);
  throw new GruClassifierError(
    'INVALID_ARGUMENT',
    `${result.path}: exists and is not a gruvision model directory. Choose an empty or new directory; nothing was overwritten.`,
    { file: result.path },
  );
}

/** Writes one file atomically: a temporary file beside it, fsync, rename over the target. */
export async function writeFileAtomic(path: string, bytes: Uint8Array): Promise<void> {
  check(await atomicWriteFile(path, bytes));
}

/** Writes several files of one folder, each atomically (text as UTF-8). */
export async function writeFilesAtomic(dir: string, files: readonly FileEntry[]): Promise<void> {
  for (const file of files) await writeFileAtomic(join(dir, file.name), file.bytes);
}

/**
 * Writes a whole directory so that at every instant `dir` is either absent-with-a-backup, the old
 * complete directory, or the new complete one (see `atomicWriteDirectory` in `@gruvision/math/node`);
 * `recoverDirectory` undoes a crash between its two renames. `isReplaceable` guards against
 * overwriting a directory that is not ours.
 */
export async function writeDirectoryAtomic(
  dir: string,
  files: readonly FileEntry[],
  isReplaceable: (dir: string) => Promise<boolean>,
): Promise<void> {
  check(await atomicWriteDirectory(dir, files, { isReplaceable }));
}
