import { describe, expect, it } from 'vitest';
import type { TrainEpoch, TrainProgress } from './protocol';
import { trainColumns } from './train-columns';

const report = (step: number, loss: number, accuracy: number): TrainProgress => ({
  epoch: Math.ceil(step / 4),
  epochs: 2,
  step,
  batchesPerEpoch: 4,
  totalSteps: 8,
  loss,
  accuracy,
});
const epoch = (n: number, valLoss: number, valAccuracy: number): TrainEpoch =>
  ({ epoch: n, epochs: 2, loss: 0, accuracy: 0, valLoss, valAccuracy }) as TrainEpoch;

describe('trainColumns', () => {
  it('puts reports at step / batchesPerEpoch and held-out scores at each epoch end, sorted by x', () => {
    const [x, loss, acc, vLoss, vAcc] = trainColumns(
      [report(2, 2.0, 0.2), report(4, 1.5, 0.4), report(6, 1.0, 0.6)],
      [epoch(1, 1.6, 0.5)],
    );
    expect(x).toEqual([0.5, 1, 1, 1.5]);
    expect(loss).toEqual([2.0, 1.5, null, 1.0]);
    expect(acc).toEqual([0.2, 0.4, null, 0.6]);
    expect(vLoss).toEqual([null, null, 1.6, null]);
    expect(vAcc).toEqual([null, null, 0.5, null]);
  });

  it('leaves a held-out score that is not a number out (null)', () => {
    const [, , , vLoss] = trainColumns([], [epoch(1, Number.NaN, 0.5)]);
    expect(vLoss).toEqual([null]);
  });
});
