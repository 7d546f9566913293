import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { mnist } from '@gruvision/data/node';
import { encode } from 'fast-png';
import { expect } from 'vitest';
import type { CliResult } from './run-cli';

/** A fresh temporary working directory for one test file. */
export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `gruvision-cli-${prefix}-`));
}

/**
 * Writes MNIST test images `indices` as dark-on-light PNGs scaled ×3 (as a photo of ink on paper
 * would be), returning the file paths and their true labels.
 */
export async function writeDigitPngs(
  dir: string,
  indices: readonly number[],
): Promise<{ file: string; label: number }[]> {
  const { test } = await mnist();
  return indices.map((index) => {
    const S = 3;
    const W = 28 * S;
    const data = new Uint8Array(W * W);
    for (let y = 0; y < W; y++) {
      for (let x = 0; x < W; x++) {
        data[y * W + x] = 255 - test.pixels[index * 784 + Math.floor(y / S) * 28 + Math.floor(x / S)]!;
      }
    }
    const file = join(dir, `digit-${index}.png`);
    writeFileSync(file, encode({ width: W, height: W, data, channels: 1, depth: 8 }));
    return { file, label: test.labels[index]! };
  });
}

/** Parses NDJSON output into its events. */
export function ndjson(text: string): Record<string, unknown>[] {
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

/** The files `gruvision train` leaves in its --out folder: the model, its settings and its report. */
export const TRAINED_FOLDER_FILES = [
  'model.json',
  'weights.bin',
  'train-settings.json',
  'report.html',
  'curves.svg',
  'confusion.svg',
] as const;

/** Asserts that `dir` holds every file of a trained model folder; `what` starts the failure message. */
export function expectTrainedFolder(dir: string, what?: string): void {
  for (const file of TRAINED_FOLDER_FILES) {
    expect(existsSync(join(dir, file)), what ? `${what}: ${file}` : file).toBe(true);
  }
}

/**
 * Asserts that a run of the CLI was a usage error (exit code 2) whose message says `message` (a text it
 * contains, or a pattern it matches); gives the result back for more checks.
 */
export function expectUsageError(result: CliResult, message: string | RegExp): CliResult {
  expect(result.code, result.stderr).toBe(2);
  if (typeof message === 'string') expect(result.stderr).toContain(message);
  else expect(result.stderr).toMatch(message);
  return result;
}
