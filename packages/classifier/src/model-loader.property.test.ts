import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { goodFolders, probeImage } from './__fixtures__/good-folders';
import { FILE_MUTATIONS, jsonPaths, mutateFiles, nastyValues, setAt } from './__fixtures__/model-mutations';
import { parseModelJson } from './artifact';
import { GruClassifierError } from './errors';
import { loadCheckpoint, loadClassifier } from './node-io';

// Property-based tests of the model loader (bounded runs, seeded, so `pnpm test` stays fast and
// repeatable; the longer campaign is `pnpm fuzz:model`). The loader must answer every input with a
// model that predicts finite probabilities, or with a GruClassifierError that names the file —
// never another error, never file contents, never a hang.
const runs = { numRuns: 120, seed: 14, endOnFailure: true } as const;

let root: string;
let good: string;
let goodJson: unknown;
let ckpt: string;
let ckptJson: unknown;
beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'gruvision-property-'));
  ({ good, goodJson, ckpt, ckptJson } = await goodFolders(root, 'r'));
});
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

/** Loads and predicts; returns 'ok' or the typed error, and fails the property on anything else. */
async function outcome(dir: string): Promise<'ok' | GruClassifierError> {
  try {
    const model = await loadClassifier(dir);
    const [p] = await model.predict(probeImage);
    expect(p!.probabilities.every((x) => Number.isFinite(x))).toBe(true);
    return 'ok';
  } catch (error) {
    if (!GruClassifierError.isInstance(error)) throw error;
    expect(error.message).not.toContain('root:x');
    expect(error.message).toMatch(/^\S+/);
    return error;
  }
}

let copies = 0;
const copyOfGood = () => {
  const dir = join(root, `case-${copies++}`);
  cpSync(good, dir, { recursive: true });
  return dir;
};

describe('the model loader under mutated input', () => {
  const paths = () => jsonPaths(goodJson);
  const replacement = fc.oneof(
    fc.constantFrom(...nastyValues()),
    fc.jsonValue({ maxDepth: 3 }),
    fc.constant(undefined),
  );

  it('parseModelJson answers any one-field mutation with a result or a typed error', () => {
    fc.assert(
      fc.property(fc.nat(), replacement, (at, value) => {
        const all = paths();
        const doc = setAt(goodJson, all[at % all.length]!, value);
        try {
          parseModelJson(JSON.stringify(doc) ?? 'null', 'm/model.json');
        } catch (error) {
          expect(GruClassifierError.isInstance(error), String(error)).toBe(true);
          expect((error as Error).message.startsWith('m/model.json: ')).toBe(true);
          // Says what is wrong in words, never relays internals.
          expect((error as Error).message).not.toMatch(
            /undefined|Cannot read prop|is not a function|\[object /,
          );
        }
      }),
      runs,
    );
  });

  it('a folder whose model.json has up to three mutated fields loads and predicts finitely, or is refused with its file named', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), replacement), { minLength: 1, maxLength: 3 }),
        async (edits) => {
          let doc = goodJson;
          for (const [at, value] of edits) {
            const all = jsonPaths(doc);
            doc = setAt(doc, all[at % all.length]!, value);
          }
          const dir = copyOfGood();
          writeFileSync(join(dir, 'model.json'), JSON.stringify(doc) ?? '');
          const result = await outcome(dir);
          if (result !== 'ok') expect(result.message).toContain(dir);
        },
      ),
      { ...runs, numRuns: 60 },
    );
  });

  it('file-level damage (links, FIFOs, devices, sizes, NaN, ±3.4e38) is refused with a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...FILE_MUTATIONS),
        fc.double({ min: 0, max: 0.999, noNaN: true }),
        async (mutation, r) => {
          const dir = copyOfGood();
          const scratch = mkdtempSync(join(root, 'scratch-'));
          mutateFiles(dir, scratch, mutation, r);
          const result = await outcome(dir);
          // A byte-order mark (UTF-8 decoding drops it) and scrambled but finite weights are still a model;
          // every other mutation damages the folder.
          if (mutation !== 'model-json-bom' && mutation !== 'weights-random-bytes') {
            expect(result, mutation).not.toBe('ok');
          }
          if (result !== 'ok') expect(result.message, mutation).toContain(dir);
        },
      ),
      { ...runs, numRuns: FILE_MUTATIONS.length * 2 },
    );
  }, 60_000);

  it('loadCheckpoint answers any mutated checkpoint.json with a checkpoint or a typed error', async () => {
    await fc.assert(
      fc.asyncProperty(fc.nat(), replacement, async (at, value) => {
        const all = jsonPaths(ckptJson);
        const doc = setAt(ckptJson, all[at % all.length]!, value);
        const dir = join(root, `ckpt-${copies++}`);
        cpSync(ckpt, dir, { recursive: true });
        writeFileSync(join(dir, 'epoch-0001', 'checkpoint.json'), JSON.stringify(doc) ?? '');
        try {
          const c = await loadCheckpoint(dir, { runId: 'r' });
          expect(Object.getPrototypeOf(c.optimizer.slots)).toBe(Object.prototype);
          expect(
            Object.keys(c.optimizer.slots).every((k) => ['m', 'v', 'momentum', 'velocity'].includes(k)),
          ).toBe(true);
        } catch (error) {
          expect(GruClassifierError.isInstance(error), String(error)).toBe(true);
          expect((error as Error).message).toContain(dir);
        }
      }),
      { ...runs, numRuns: 80 },
    );
  });
});
