import { describe, expect, it } from 'vitest';
import { checkpointEvery } from './train';

describe('--checkpoint-every', () => {
  it('reads a number of batches, or seconds and minutes', () => {
    expect(checkpointEvery('500')).toEqual({ batches: 500 });
    expect(checkpointEvery('90s')).toEqual({ seconds: 90 });
    expect(checkpointEvery('5m')).toEqual({ seconds: 300 });
    expect(checkpointEvery('1.5m')).toEqual({ seconds: 90 });
  });

  it('refuses what is neither, saying what to write', () => {
    for (const bad of ['0', '2.5', '-3', '5h', 'often', '0s']) {
      expect(() => checkpointEvery(bad), bad).toThrow(
        `expected a number of batches (500) or a time (90s, 5m), got "${bad}".`,
      );
    }
  });
});
