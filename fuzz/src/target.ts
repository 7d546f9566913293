import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type * as fc from 'fast-check';

/**
 * One thing to fuzz: a parser (or a loader) and the inputs to throw at it. Register new targets in
 * `registry.ts`; the property tests and `pnpm fuzz` pick them up from there.
 */
export interface FuzzTarget<T = unknown> {
  /** Short name for `pnpm fuzz --targets` and the report (`png`, `idx-gz`, `image-folder`). */
  readonly name: string;
  readonly description: string;
  /** The inputs: usually valid files from real encoders, mutated. */
  readonly arbitrary: fc.Arbitrary<T>;
  /**
   * Runs the parser on one input. Returns when the parser accepted the input (after checking what it
   * returned: throw an {@link InvariantViolation} when the result is inconsistent), throws what the
   * parser threw otherwise. In-memory parsers name the input {@link SOURCE}; file-based ones write
   * their files under `dir` (a fresh empty folder, removed afterwards). A clear error message names
   * one of the two.
   */
  run(input: T, dir: string): Promise<void>;
}

/** The name in-memory parsers are given for a fuzz input. */
export const SOURCE = 'fuzz-input.bin';

/** A parser returned a result that breaks its own contract (garbage reported as a result). */
export class InvariantViolation extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InvariantViolation';
  }
}

/**
 * What one input did: `accepted` (a consistent result), `typed` (a typed error with a clear message),
 * `unclear` (typed, but the message misses the file or relays engine internals), `crash` (anything
 * else thrown, or an inconsistent result), `hang` and `memory` (only the runner can see those).
 */
export type Outcome = 'accepted' | 'typed' | 'unclear' | 'crash' | 'hang' | 'memory';

export const OUTCOMES: readonly Outcome[] = ['accepted', 'typed', 'unclear', 'crash', 'hang', 'memory'];

/** Phrases of JavaScript engine and library internals that tell a user nothing about their file. */
const INTERNAL =
  /DataView|typed array|Invalid array length|Cannot read prop|Cannot set prop|undefined|is not a function|is not iterable|Maximum call stack|out of memory|allocation failed|\bNaN\b|RangeError|TypeError|at position \d+|\[object /i;

/** True for the error classes of our libraries (`GruDataError`, `GruClassifierError`, ...). */
export function isTypedError(error: unknown): error is Error & { code: string } {
  return (
    error instanceof Error &&
    /^Gru\w*Error$/.test(error.name) &&
    typeof (error as { code?: unknown }).code === 'string'
  );
}

/** Classifies what `run` threw: typed and naming {@link SOURCE} or a path under `dir` is clear. */
export function classifyError(error: unknown, dir: string): { outcome: Outcome; message: string } {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : `thrown ${String(error)}`;
  if (error instanceof InvariantViolation || !isTypedError(error)) return { outcome: 'crash', message };
  const named = error.message.includes(SOURCE) || error.message.includes(dir);
  return { outcome: named && !INTERNAL.test(error.message) ? 'typed' : 'unclear', message };
}

/** Runs one input through a target in a fresh folder and classifies the outcome. */
export async function runOne<T>(
  target: FuzzTarget<T>,
  input: T,
): Promise<{ outcome: Outcome; message: string }> {
  const dir = await mkdtemp(join(tmpdir(), `gruvision-fuzz-${target.name}-`));
  try {
    await target.run(input, dir);
    return { outcome: 'accepted', message: '' };
  } catch (error) {
    return classifyError(error, dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
