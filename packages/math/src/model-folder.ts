/**
 * The names and path rule of a model folder (TensorFlow.js layers-model format), defined once for
 * every reader and writer: `@gruvision/classifier` and `@gruvision/tfjs` (browser-safe: no Node APIs).
 */

/** The model's topology, metadata and weights manifest. */
export const MODEL_JSON_FILE = 'model.json';
/** The one weights file gruvision writes beside `model.json`. */
export const WEIGHTS_FILE = 'weights.bin';

/**
 * Why `path` (a weights path named by a `model.json`) is not a plain relative path that stays inside
 * the model folder, in words that complete "weight path "…" …"; `undefined` when it is one. Refused:
 * non-strings, empty or longer than 255, NUL bytes, absolute paths and URLs (`/x`, `C:\x`,
 * `https://…`, any `scheme:`), backslashes, `..`, and empty or `.` parts.
 */
export function weightsPathProblem(path: unknown): string | undefined {
  if (typeof path !== 'string' || path.length === 0 || path.length > 255) return 'is not a file name';
  if (path.includes('\0')) return 'contains a NUL byte';
  if (path.startsWith('/') || path.startsWith('\\') || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(path)) {
    return 'is absolute';
  }
  const parts = path.split(/[\\/]/);
  if (parts.some((p) => p === '..')) return 'leaves the model directory';
  if (path.includes('\\')) return 'contains a backslash (weight paths use /)';
  if (parts.some((p) => p === '' || p === '.')) return 'is not a plain relative path';
  return undefined;
}
