import { describe, expect, it } from 'vitest';
import { LatestOnly } from './scheduler';

describe('LatestOnly', () => {
  it('runs the first input, then only the newest of those pushed meanwhile', async () => {
    const ran: number[] = [];
    let release: () => void = () => {};
    const s = new LatestOnly<number>(async (n) => {
      ran.push(n);
      if (n === 1) await new Promise<void>((r) => (release = r));
    });
    s.push(1);
    s.push(2);
    s.push(3);
    s.push(4);
    release();
    await s.whenIdle();
    expect(ran).toEqual([1, 4]);
  });

  it('keeps going after a failing run', async () => {
    const ran: number[] = [];
    const s = new LatestOnly<number>(async (n) => {
      ran.push(n);
      if (n === 1) throw new Error('boom');
    });
    s.push(1);
    await s.whenIdle();
    s.push(2);
    await s.whenIdle();
    expect(ran).toEqual([1, 2]);
  });
});
