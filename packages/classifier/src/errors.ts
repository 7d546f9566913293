import { GruError } from '@gruvision/math';

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
 * The one error class of `@gruvision/classifier` (see `GruError` in `@gruvision/math`): `file` names the
 * file or directory a problem is in.
 */
export class GruClassifierError extends GruError<GruClassifierErrorCode> {
  static readonly errorName = 'GruClassifierError';
}

/** Throws `INVALID_ARGUMENT` with `message`. */
export function invalid(message: string): never {
  throw new GruClassifierError('INVALID_ARGUMENT', message);
}

/** Throws `INVALID_ARGUMENT` unless `value` is a whole number ≥ 1. */
export function checkPositiveInt(value: unknown, what: string): void {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
    invalid(`${what} must be a positive whole number, got ${JSON.stringify(value)}.`);
  }
}

/** Errors of a spec or view check become `INVALID_ARGUMENT` classifier errors. */
export function wrapSpecError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (GruClassifierError.isInstance(error)) throw error;
    throw new GruClassifierError('INVALID_ARGUMENT', (error as Error).message, { cause: error });
  }
}
