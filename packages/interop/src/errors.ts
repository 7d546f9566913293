import { GruError } from '@gruvision/math';

/** Machine-readable error codes of `@gruvision/interop`. */
export type GruInteropErrorCode =
  /** An argument or option of a function is wrong (not the file). */
  | 'INVALID_ARGUMENT'
  /** The file is not what it says it is: truncated, not protobuf / safetensors, bad header. */
  | 'INVALID_FILE'
  /** The file is larger than the limit the caller allowed. */
  | 'TOO_LARGE'
  /** A graph node uses an operator (or an attribute of one) gruvision cannot map. */
  | 'UNSUPPORTED_OP'
  /** The file holds a tensor name gruvision does not know, or misses one it needs. */
  | 'UNKNOWN_TENSOR'
  /** A tensor has the wrong shape or dtype for the model it belongs to. */
  | 'SHAPE_MISMATCH'
  /** A weight holds NaN or ±Infinity. */
  | 'NON_FINITE'
  /** The model uses something the target format cannot express (e.g. a reset-before GRU as nn.GRU). */
  | 'UNSUPPORTED_MODEL';

/**
 * The one error class of `@gruvision/interop` (see `GruError` in `@gruvision/math`): `file` names the
 * file a problem is in.
 */
export class GruInteropError extends GruError<GruInteropErrorCode> {
  static readonly errorName = 'GruInteropError';
}

/** Throws a `GruInteropError` whose message starts with the file it is about. */
export function fail(code: GruInteropErrorCode, file: string, problem: string): never {
  throw new GruInteropError(code, `${file}: ${problem}`, { file });
}
