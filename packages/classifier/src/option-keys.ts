import { GruClassifierError } from './errors';

/**
 * Every key of an options type, as an object `{ key: true }`. Typed with `satisfies Record<keyof T, true>`
 * at the call site, so adding an option to the interface without listing it here fails typecheck.
 */
export type KeySet = Readonly<Record<string, true>>;

/** Edit distance (insert, delete, replace) between two short strings, case-insensitive. */
export function editDistance(a: string, b: string): number {
  const s = a.toLowerCase();
  const t = b.toLowerCase();
  let previous = Array.from({ length: t.length + 1 }, (_, j) => j);
  for (let i = 1; i <= s.length; i++) {
    const current = [i];
    for (let j = 1; j <= t.length; j++) {
      const cost = s[i - 1] === t[j - 1] ? 0 : 1;
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, previous[j - 1]! + cost);
    }
    previous = current;
  }
  return previous[t.length]!;
}

/** The valid key closest to `key` by edit distance (ties: the first listed). */
export function closestKey(key: string, valid: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Number.POSITIVE_INFINITY;
  for (const candidate of valid) {
    const d = editDistance(key, candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best;
}

/**
 * Throws `INVALID_ARGUMENT` naming the first key of `options` that is not in `valid`, the closest valid
 * key and the full list, so a misspelt or unsupported option never trains silently without effect.
 * `where` names the call, e.g. `fit` or `fit: earlyStopping`.
 */
export function checkOptionKeys(options: unknown, valid: KeySet, where: string): void {
  if (options === undefined) return;
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new GruClassifierError(
      'INVALID_ARGUMENT',
      `${where}: options must be an object, got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}.`,
    );
  }
  const names = Object.keys(valid);
  for (const key of Object.keys(options)) {
    if (Object.hasOwn(valid, key)) continue;
    const closest = closestKey(key, names);
    throw new GruClassifierError(
      'INVALID_ARGUMENT',
      `${where}: unknown option "${key}"${closest !== undefined ? ` (did you mean "${closest}"?)` : ''}. ` +
        `Valid options: ${names.join(', ')}.`,
    );
  }
}
