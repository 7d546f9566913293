/** Exit codes of the `gruvision` command. */
export const ExitCode = {
  ok: 0,
  /** Bad input from the user: a missing file, a corrupt model, an image that cannot be read. */
  userError: 1,
  /** Bad usage: an unknown option, a missing argument, an option value out of range. */
  usageError: 2,
  /** Interrupted by the user (Ctrl-C); a checkpoint was saved when training. */
  interrupted: 130,
} as const;

import { withLimitFlag } from './model-limits';

/** An error the CLI shows as one line, with the exit code it maps to. */
export class CliError extends Error {
  readonly exitCode: number;

  constructor(message: string, exitCode: number = ExitCode.userError, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'CliError';
    this.exitCode = exitCode;
  }
}

/** A wrong option value or a missing argument: exit code 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, ExitCode.usageError);
    this.name = 'UsageError';
  }
}

/** True for the error classes of our libraries (`GruDataError`, `GruMathError`, ...): all carry a `code`. */
function isLibraryError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    /^Gru\w*Error$/.test(error.name) &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

const STORAGE_ERRORS: Record<string, string> = {
  ENOSPC: 'no space left on the device',
  EDQUOT: 'the disk quota is exceeded',
  EROFS: 'the file system is read-only',
};

/**
 * The library's advice in the words of the command line: a library error names its JS option or
 * function (for programs); the CLI user gets the flag or the action instead.
 */
const CLI_WORDS: readonly (readonly [RegExp, string])[] = [
  [/ \(option maxPixels; gruvision: (--max-pixels)\)/g, ' ($1)'],
  [/ \(option maxBytes; gruvision: (--max-input-size)\)/g, ' ($1)'],
  [/ \(readImageFolder skips such files with skipInvalid: true\)/g, ' from the folder'],
  [/, or skip it \(readImageFolder: skipInvalid: true\)\./g, ', or remove it from the folder.'],
  [
    /Pass the directory given to checkpointDirectory\(\) or one of its epoch-NNNN folders\./g,
    'Pass --resume the <out>.checkpoints folder of the run, or one of its epoch-NNNN folders.',
  ],
  [
    /Resize the set first \(fitImage in @gruvision\/data\) or create the model with its shape\./g,
    "Pass a dataset of the model's picture size, or a folder:<dir> of pictures, which eval and predict resize.",
  ],
];

/** A library error message with its JS option and function names replaced by what the CLI user does. */
export function inCliWords(message: string): string {
  return CLI_WORDS.reduce((text, [pattern, words]) => text.replace(pattern, words), message);
}

/** What the user sees for an error: one line (plus the stack with `--debug`) and the exit code. */
export function describeError(error: unknown, debug: boolean): { text: string; exitCode: number } {
  const stack = debug && error instanceof Error && error.stack ? `\n${error.stack}` : '';
  if (error instanceof CliError) return { text: `error: ${error.message}${stack}`, exitCode: error.exitCode };
  if (isLibraryError(error)) {
    // An oversized model names the CLI flag that raises its limit; other messages speak CLI, not library options.
    const message = (error.code === 'TOO_LARGE' && withLimitFlag(error.message)) || inCliWords(error.message);
    return { text: `error: ${message}${stack}`, exitCode: ExitCode.userError };
  }
  const errno = error as NodeJS.ErrnoException;
  const storage = errno && typeof errno.code === 'string' ? STORAGE_ERRORS[errno.code] : undefined;
  if (storage !== undefined) {
    // Disk full, read-only, quota: the cause is the storage, not a bug; name the file when known.
    const where = typeof errno.path === 'string' ? `${errno.path}: ` : '';
    return {
      text: `error: ${where}${storage} (${errno.code}). Free some space or choose a writable folder and run again.${stack}`,
      exitCode: ExitCode.userError,
    };
  }
  if (errno && typeof errno.code === 'string' && typeof errno.path === 'string') {
    const what =
      errno.code === 'ENOENT'
        ? 'does not exist'
        : errno.code === 'EACCES' || errno.code === 'EPERM'
          ? 'cannot be accessed (permission denied)'
          : errno.code === 'EISDIR'
            ? 'is a directory, not a file'
            : errno.code === 'ENOTDIR'
              ? 'is not a directory'
              : `cannot be used (${errno.code})`;
    return {
      text: `error: ${errno.path} ${what}. Check the path and try again.${stack}`,
      exitCode: ExitCode.userError,
    };
  }
  const message = error instanceof Error ? error.message : String(error);
  return {
    text: debug
      ? `error: unexpected failure: ${message}${stack}`
      : `error: unexpected failure: ${message} (run again with --debug for the stack trace, and please report it)`,
    exitCode: ExitCode.userError,
  };
}
