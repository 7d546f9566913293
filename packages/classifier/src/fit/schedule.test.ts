import { describe, expect, it } from 'vitest';
import { learningRateAt, validateSchedule } from './schedule';

const at = (epoch: number, batch = 0) => ({ epoch, batch, batchesPerEpoch: 10, epochs: 10 });

describe('learningRateAt', () => {
  it('keeps the base rate without a schedule or with a constant one', () => {
    expect(learningRateAt(0.01, undefined, at(5))).toBe(0.01);
    expect(learningRateAt(0.01, { type: 'constant' }, at(5, 3))).toBe(0.01);
  });

  it('steps down by gamma every N epochs', () => {
    const s = { type: 'step', everyEpochs: 3, gamma: 0.5 } as const;
    expect(learningRateAt(1, s, at(2, 9))).toBe(1);
    expect(learningRateAt(1, s, at(3))).toBe(0.5);
    expect(learningRateAt(1, s, at(6))).toBe(0.25);
  });

  it('decays along a cosine to the minimum', () => {
    const s = { type: 'cosine', minLearningRate: 0.1 } as const;
    expect(learningRateAt(1, s, at(0))).toBeCloseTo(1, 12);
    expect(learningRateAt(1, s, at(5))).toBeCloseTo(0.55, 12);
    expect(learningRateAt(1, s, { ...at(9, 10) })).toBeCloseTo(0.1, 12);
  });

  it('warms up linearly per batch, then follows the schedule', () => {
    const s = { type: 'cosine', warmupEpochs: 1 } as const;
    expect(learningRateAt(1, s, at(0, 0))).toBeCloseTo(0.1, 12);
    expect(learningRateAt(1, s, at(0, 9))).toBeCloseTo(1, 12);
    expect(learningRateAt(1, s, at(1, 0))).toBeCloseTo(1, 12);
    expect(learningRateAt(1, s, at(5, 5))).toBeCloseTo(0.5, 12);
  });

  it('rejects unusable fields with a message naming them', () => {
    expect(() => validateSchedule({ type: 'step', everyEpochs: 0 })).toThrow(
      'schedule: everyEpochs must be a positive integer, got 0.',
    );
    expect(() => validateSchedule({ type: 'cosine', warmupEpochs: -1 })).toThrow(
      'schedule: warmupEpochs must be a number ≥ 0, got -1.',
    );
  });
});
