import * as fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runOne } from '../target';
import { dataTargets } from './data';

// Bounded runs for `pnpm test`; `pnpm fuzz` runs the same targets for as long as you like, and also
// watches for hangs and memory blow-ups.
const RUNS: Record<string, number> = {
  idx: 300,
  'idx-gz': 60,
  cifar: 150,
  png: 200,
  jpeg: 150,
  'image-folder': 25,
};

describe('every data parser: an input is accepted with a consistent result, or refused with a typed error naming it', () => {
  for (const target of dataTargets) {
    it(target.name, async () => {
      await fc.assert(
        fc.asyncProperty(target.arbitrary, async (input) => {
          const { outcome, message } = await runOne(target, input);
          expect(['accepted', 'typed'], message).toContain(outcome);
        }),
        { numRuns: RUNS[target.name] ?? 100 },
      );
    });
  }

  it('has a bounded run for each target', () => {
    expect(dataTargets.map((t) => t.name).sort()).toEqual(Object.keys(RUNS).sort());
  });
});
