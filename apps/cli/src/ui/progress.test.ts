import { describe, expect, it } from 'vitest';
import { type Io, Output } from './io';
import { TrainingProgress } from './progress';

function io(interactive: boolean): Io & { out: string[]; err: string[] } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    stdout: { write: (s: string) => out.push(s) },
    stderr: { write: (s: string) => err.push(s) },
    interactive,
    columns: 120,
    out,
    err,
  };
}

const batch = {
  epoch: 1,
  epochs: 2,
  batch: 10,
  batches: 10,
  loss: 0.5,
  accuracy: 0.8,
  samplesPerSecond: 400,
  etaSeconds: 30,
};
const epoch = { epoch: 1, epochs: 2, loss: 0.5, accuracy: 0.8, valLoss: 0.4, valAccuracy: 0.85, seconds: 12 };

describe('TrainingProgress', () => {
  it('draws a bar on a TTY and replaces it with a line per epoch', () => {
    const target = io(true);
    const progress = new TrainingProgress(new Output(target, false));
    progress.batch(batch);
    progress.epoch(epoch);
    expect(target.err[0]).toContain('epoch 1/2');
    expect(target.err[0]).toContain('400 samples/s');
    expect(target.err[0]).toContain('ETA 30 s');
    expect(target.err.at(-1)).toBe(
      'epoch 1/2  loss 0.5000  acc 80.00%  val_loss 0.4000  val_acc 85.00%  12 s\n',
    );
    expect(target.out).toEqual([]);
  });

  it('prints only plain epoch lines when not a TTY, and NDJSON events under --json', () => {
    const target = io(false);
    const progress = new TrainingProgress(new Output(target, true));
    progress.batch(batch);
    progress.epoch(epoch);
    expect(target.err).toEqual([
      'epoch 1/2  loss 0.5000  acc 80.00%  val_loss 0.4000  val_acc 85.00%  12 s\n',
    ]);
    expect(target.out.map((l) => JSON.parse(l))).toEqual([{ type: 'epoch', ...epoch }]);
  });
});
