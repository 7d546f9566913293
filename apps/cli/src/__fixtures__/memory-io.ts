// Test helper of the CLI's unit tests: an Io that keeps what the program writes.
import type { Io } from '../ui/io';

/** An `Io` writing into memory; `out()` and `err()` return what was written so far. */
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
