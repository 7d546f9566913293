import { GruError } from '@gruvision/math';

/** Machine-readable error codes of `@gruvision/data`. */
export type GruDataErrorCode =
  | 'INVALID_IMAGE_SET'
  | 'INVALID_ARGUMENT'
  | 'BAD_MAGIC'
  | 'TRUNCATED'
  | 'MALFORMED'
  | 'COUNT_MISMATCH'
  | 'LABEL_OUT_OF_RANGE'
  | 'BAD_RECORD_SIZE'
  | 'NOT_FOUND'
  | 'EMPTY'
  | 'DECODE_FAILED'
  | 'UNSUPPORTED_FORMAT'
  | 'MISSING_PACKAGE'
  /** The input asks for more than a limit allows (pixels, bytes); the message names the limit. */
  | 'TOO_LARGE'
  /** A FIFO, socket or device where a regular file was expected. */
  | 'NOT_A_FILE'
  /** A symbolic link that leads back into a folder already being read. */
  | 'LINK_CYCLE';

/**
 * The one error class of `@gruvision/data` (see `GruError` in `@gruvision/math`): says which file, what
 * was wrong, and what to do.
 */
export class GruDataError extends GruError<GruDataErrorCode> {
  static readonly errorName = 'GruDataError';
}
