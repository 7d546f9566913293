import type { EngineErrorCode } from '@gruvision/math';
import { GruError, GruMathError } from '@gruvision/math';

/**
 * Machine-readable error codes of `@gruvision/tfjs`: the engine contract's codes (the same code as the
 * math engine for the same mistake) and its own.
 */
export type GruTfjsErrorCode =
  | EngineErrorCode
  | 'BACKEND_UNAVAILABLE'
  | 'LAYERS_NOT_REGISTERED'
  | 'UNSUPPORTED_CONFIG'
  | 'WEIGHTS_MISMATCH'
  | 'MODEL_LOAD_FAILED'
  | 'MODEL_SAVE_FAILED'
  | 'INVALID_MODEL_FILE'
  | 'WEIGHTS_TRUNCATED';

/** The one error class of `@gruvision/tfjs` (see `GruError` in `@gruvision/math`). */
export class GruTfjsError extends GruError<GruTfjsErrorCode> {
  static readonly errorName = 'GruTfjsError';
}

/**
 * Runs one of the engine contract's shared checks (from `@gruvision/math`); the `GruMathError` it
 * throws becomes a `GruTfjsError` with the same code and message.
 */
export function engineCheck(check: () => void): void {
  try {
    check();
  } catch (error) {
    if (!GruMathError.isInstance(error)) throw error;
    throw new GruTfjsError(error.code as EngineErrorCode, error.message, { cause: error });
  }
}
