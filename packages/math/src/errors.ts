/**
 * The error codes of the engine contract: every engine (math, tfjs, …) throws its error class with
 * these codes for the same mistakes, checked by the engine conformance suite.
 * - `INVALID_ARGUMENT`: a bad option or value (batch size, label, learning rate, optimizer, seed, …);
 * - `SHAPE_MISMATCH`: a buffer or weight of the wrong type, length or shape (also optimizer state);
 * - `NON_FINITE`: NaN or ±Infinity in an input or a weight;
 * - `UNKNOWN_WEIGHT` / `MISSING_WEIGHT`: weights that do not match the model's layout;
 * - `DISPOSED`: a network used after `dispose()`.
 */
export type EngineErrorCode =
  | 'INVALID_ARGUMENT'
  | 'SHAPE_MISMATCH'
  | 'NON_FINITE'
  | 'UNKNOWN_WEIGHT'
  | 'MISSING_WEIGHT'
  | 'DISPOSED';

/** Machine-readable error codes of `@gruvision/math`: the engine codes and its own. */
export type GruMathErrorCode =
  | EngineErrorCode
  | 'INVALID_SPEC'
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
