/** Machine-readable error codes of `@gruvision/classifier`. */
export type GruClassifierErrorCode =
  | 'INVALID_ARGUMENT'
  | 'INVALID_IMAGE'
  | 'ENGINE_UNAVAILABLE'
  | 'NON_FINITE_LOSS'
  | 'NON_FINITE_OUTPUT'
  | 'WRITE_FAILED'
  | 'ABORTED'
  | 'DISPOSED'
  | 'MODEL_NOT_FOUND'
  | 'INVALID_MODEL'
  | 'UNSAFE_PATH'
  | 'WEIGHTS_MISMATCH'
  | 'TOO_LARGE'
  | 'CHECKPOINT_INVALID';

/**
 * The one error class of `@gruvision/classifier`. The message says what was wrong and what to do;
 * `code` lets programs branch without parsing text; `file` names the file a problem is in.
 */
export class GruClassifierError extends Error {
  readonly code: GruClassifierErrorCode;
  /** The file or directory the problem is in, when there is one. */
  readonly file: string | undefined;

  constructor(code: GruClassifierErrorCode, message: string, options?: { cause?: unknown; file?: string }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'GruClassifierError';
    this.code = code;
    this.file = options?.file;
  }

  static isInstance(error: unknown): error is GruClassifierError {
    return error instanceof Error && error.name === 'GruClassifierError' && 'code' in error;
  }
}
