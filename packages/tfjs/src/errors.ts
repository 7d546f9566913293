/** Machine-readable error codes of `@gruvision/tfjs`. */
export type GruTfjsErrorCode =
  | 'INVALID_ARGUMENT'
  | 'BACKEND_UNAVAILABLE'
  | 'LAYERS_NOT_REGISTERED'
  | 'UNSUPPORTED_CONFIG'
  | 'WEIGHTS_MISMATCH'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_SAVE_FAILED'
  | 'INVALID_MODEL_FILE'
  | 'WEIGHTS_TRUNCATED'
  | 'DISPOSED';

/**
 * The one error class of `@gruvision/tfjs`. The message always says what was wrong and what to do;
 * `code` lets programs branch without parsing text; `cause` keeps the error it wraps.
 */
export class GruTfjsError extends Error {
  readonly code: GruTfjsErrorCode;

  constructor(code: GruTfjsErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GruTfjsError';
    this.code = code;
  }

  static isInstance(error: unknown): error is GruTfjsError {
    return error instanceof Error && error.name === 'GruTfjsError' && 'code' in error;
  }
}
