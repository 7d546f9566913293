// Test helper of the importer tests: the check that a call fails with a given interop error.
import { expect } from 'vitest';
import { GruInteropError } from '../errors';

/** Asserts that `fn` throws a `GruInteropError` with `code` and a message matching `message`. */
export function expectInteropError(fn: () => unknown, code: string, message: RegExp): void {
  try {
    fn();
  } catch (error) {
    expect(GruInteropError.isInstance(error), String(error)).toBe(true);
    expect((error as GruInteropError).code).toBe(code);
    expect((error as Error).message).toMatch(message);
    return;
  }
  expect.unreachable('no error thrown');
}
