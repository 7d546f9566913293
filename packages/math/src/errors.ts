/** Machine-readable error codes of `@gruvision/math`. */
export type GruMathErrorCode =
  | 'INVALID_SPEC'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'UNKNOWN_WEIGHT'
  | 'MISSING_WEIGHT'
  | 'INVALID_ARGUMENT'
  /** A worker thread of the data-parallel engine could not start or stopped. */
  | 'WORKER_FAILED';

/**
 * The one error class of `@gruvision/math`. The message always says what was wrong and what to do;
 * `code` lets programs branch without parsing text.
 */
export class GruMathError extends Error {
  readonly code: GruMathErrorCode;

  constructor(code: GruMathErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GruMathError';
    this.code = code;
  }

  static isInstance(error: unknown): error is GruMathError {
    return error instanceof Error && error.name === 'GruMathError' && 'code' in error;
  }
}
