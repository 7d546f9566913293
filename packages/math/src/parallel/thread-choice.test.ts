import { describe, expect, it } from 'vitest';
import { ThreadChooser } from './thread-choice';

/** Runs `batches` batches whose time per sample with n workers is `cost(n)`; returns the counts used. */
function simulate(max: number, cost: (n: number) => number, batches = 300): number[] {
  const chooser = new ThreadChooser(max);
  const used: number[] = [];
  for (let i = 0; i < batches; i++) {
    const n = chooser.next();
    expect(n).toBeGreaterThanOrEqual(1);
    expect(n).toBeLessThanOrEqual(max);
    used.push(n);
    chooser.record(cost(n));
  }
  return used;
}

/** The count used most over the last 100 batches. */
function settled(used: number[]): number {
  const counts = new Map<number, number>();
  for (const n of used.slice(-100)) counts.set(n, (counts.get(n) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]![0];
}

describe('ThreadChooser', () => {
  it('keeps 2 threads where they are faster, and starts with all of them', () => {
    const used = simulate(2, (n) => (n === 2 ? 0.55 : 1));
    expect(used[0]).toBe(2);
    expect(settled(used)).toBe(2);
  });

  it('drops to 1 thread where 2 are slower (a loaded machine), and tries 2 again now and then', () => {
    const used = simulate(2, (n) => (n === 2 ? 1.2 : 1));
    expect(settled(used)).toBe(1);
    expect(used.slice(-100).filter((n) => n === 2).length).toBeGreaterThan(0);
    // Never slower than one thread by more than the trials cost: at most 3 trial batches in every 27.
    expect(used.slice(-108).filter((n) => n === 2).length).toBeLessThanOrEqual(12);
  });

  it('climbs to the best count of 4 when it is in between (3 of 4 cores free)', () => {
    expect(settled(simulate(4, (n) => [0, 1, 0.55, 0.4, 0.5][n]!))).toBe(3);
  });

  it('stays put when a neighbour is less than 10 % faster (no flapping on noise)', () => {
    const used = simulate(2, (n) => (n === 2 ? 1 : 0.95));
    expect(settled(used)).toBe(2);
  });

  it('never leaves 1 with one worker', () => {
    expect(new Set(simulate(1, () => 1))).toEqual(new Set([1]));
  });
});
