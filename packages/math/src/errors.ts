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

/** What an error of a gruvision library takes besides its code and message. */
export interface GruErrorOptions {
  /** The error this one wraps. */
  cause?: unknown;
  /** The file or folder the problem is in, when there is one. */
  file?: string;
}

/**
 * The base of each library's one error class (`GruMathError`, `GruTfjsError`, `GruDataError`,
 * `GruClassifierError`, `GruInteropError`). The message says what was wrong and what to do; `code` lets
 * programs branch without parsing text; `file` names the file a problem is in; `cause` keeps the error
 * it wraps. A subclass names itself in a static `errorName`, which becomes the error's `name`.
 */
export abstract class GruError<Code extends string> extends Error {
  readonly code: Code;
  /** The file or folder the problem is in, when there is one. */
  readonly file: string | undefined;

  constructor(code: Code, message: string, options?: GruErrorOptions) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = (new.target as unknown as { readonly errorName: string }).errorName;
    this.code = code;
    this.file = options?.file;
  }

  /**
   * Whether `error` is one of this class: it checks the name, not the prototype, so an error thrown
   * by another copy of the package (two versions installed, another realm) counts too.
   */
  static isInstance<T extends Error>(
    this: { readonly errorName: string; readonly prototype: T },
    error: unknown,
  ): error is T {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass asked (GruDataError, …), with its own errorName.
    return error instanceof Error && error.name === this.errorName && 'code' in error;
  }
}

/** The one error class of `@gruvision/math`. */
export class GruMathError extends GruError<GruMathErrorCode> {
  static readonly errorName = 'GruMathError';
}
