import type { Io } from './io';

/** An `Io` that keeps what a command writes, for tests: `out()` is stdout, `err()` stderr. */
export function memoryIo(): Io & { out: () => string; err: () => string } {
  let out = '';
  let err = '';
  return {
    stdout: { write: (s: string) => (out += s) },
    stderr: { write: (s: string) => (err += s) },
    interactive: false,
    columns: 100,
    out: () => out,
    err: () => err,
  };
}
