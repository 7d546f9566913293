import { describe, expect, it } from 'vitest';
import { barsModel, barsSet } from '../__fixtures__/synthetic';
import type { ModelArtifacts } from '../artifact';
import type { Checkpoint } from '../checkpoint';
import { GruClassifier } from '../classifier';
import type { BestModel, FitOptions } from './options';

const train = barsSet(60, 5);
const small = barsModel(6, 4);
const options = {
  epochs: 6,
  batchSize: 16,
  learningRate: 0.05,
  validation: 0.25,
  schedule: { type: 'constant' },
} as const satisfies FitOptions;

const bytes = (a: ModelArtifacts): number[] => Array.from(a.weightData);

/** The epochs (from 1) whose value beats every earlier one: lower for losses, higher for accuracies. */
function recordEpochs(values: readonly number[], higherIsBetter: boolean): number[] {
  const epochs: number[] = [];
  let best: number | undefined;
  values.forEach((v, i) => {
    if (best === undefined || (higherIsBetter ? v > best : v < best)) {
      best = v;
      epochs.push(i + 1);
    }
  });
  return epochs;
}

describe('fit({ keepBest })', () => {
  it('saves the model of every epoch that sets a validation-loss record, with that epoch’s weights', async () => {
    const best: BestModel[] = [];
    const checkpoints: Checkpoint[] = [];
    const model = await GruClassifier.create(small);
    const history = await model.fit(train, {
      ...options,
      keepBest: { save: (b) => void best.push(b) },
      checkpoint: { save: (c) => void checkpoints.push(c) },
    });
    const valLoss = history.epochs.map((e) => e.valLoss!);
    expect(best.map((b) => b.epoch)).toEqual(recordEpochs(valLoss, false));
    expect(best.length).toBeGreaterThan(1);
    for (const b of best) {
      expect(b.monitor).toBe('valLoss');
      expect(b.value).toBe(valLoss[b.epoch - 1]);
      // The same weights as the checkpoint taken at the end of that epoch.
      expect(bytes(b.artifacts)).toEqual(bytes(checkpoints[b.epoch - 1]!.artifacts));
    }
    model.dispose();
  });

  it('monitors valAccuracy when asked; with early stopping on the same monitor, the final model is the saved best', async () => {
    const best: BestModel[] = [];
    const model = await GruClassifier.create(small);
    const history = await model.fit(train, {
      ...options,
      epochs: 8,
      keepBest: { monitor: 'valAccuracy', save: (b) => void best.push(b) },
      earlyStopping: { monitor: 'valAccuracy', patience: 2 },
    });
    const valAccuracy = history.epochs.map((e) => e.valAccuracy!);
    expect(best.map((b) => b.epoch)).toEqual(recordEpochs(valAccuracy, true));
    expect(history.bestEpoch).toBe(best.at(-1)!.epoch);
    expect(bytes(model.toArtifacts())).toEqual(bytes(best.at(-1)!.artifacts));
    model.dispose();
  });

  it('survives resume: after a stop, only epochs better than every earlier one are saved, as in one run', async () => {
    const fullBest: BestModel[] = [];
    const full = await GruClassifier.create(small);
    await full.fit(train, { ...options, keepBest: { save: (b) => void fullBest.push(b) } });

    const firstBest: BestModel[] = [];
    const saved: Checkpoint[] = [];
    const stopAfter = fullBest[1]!.epoch; // stop after the second record, so a later epoch must beat it
    const first = await GruClassifier.create(small);
    await first.fit(train, {
      ...options,
      keepBest: { save: (b) => void firstBest.push(b) },
      checkpoint: { save: (c) => void saved.push(c) },
      callbacks: [
        {
          onEpochEnd(log, run) {
            if (log.epoch === stopAfter) run.stop('aborted');
          },
        },
      ],
    });
    const resumedBest: BestModel[] = [];
    const second = await GruClassifier.create(small);
    await second.fit(train, {
      ...options,
      keepBest: { save: (b) => void resumedBest.push(b) },
      resumeFrom: saved.at(-1)!,
    });
    expect(saved.at(-1)!.epoch).toBe(stopAfter);
    expect([...firstBest, ...resumedBest].map((b) => b.epoch)).toEqual(fullBest.map((b) => b.epoch));
    expect(bytes((resumedBest.at(-1) ?? firstBest.at(-1)!).artifacts)).toEqual(
      bytes(fullBest.at(-1)!.artifacts),
    );
    for (const m of [full, first, second]) m.dispose();
  });

  it('refuses a monitor without validation data, a missing save and unknown keys, before training', async () => {
    const model = await GruClassifier.create(small);
    const save = () => {};
    await expect(model.fit(train, { epochs: 1, keepBest: { save } })).resolves.toBeDefined();
    await expect(model.fit(train, { epochs: 1, keepBest: { monitor: 'valAccuracy', save } })).rejects.toThrow(
      'fit: keepBest monitors valAccuracy but there is no validation data. Pass validation or monitor "loss".',
    );
    await expect(model.fit(train, { epochs: 1, keepBest: {} as never })).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: expect.stringContaining('fit: keepBest needs save'),
      }),
    );
    await expect(
      model.fit(train, { epochs: 1, keepBest: { save, monitr: 'loss' } as never }),
    ).rejects.toThrow('fit: keepBest: unknown option "monitr" (did you mean "monitor"?)');
    await expect(
      model.fit(train, { ...options, keepBest: { save, monitor: 'val_accuracy' as never } }),
    ).rejects.toThrow(
      'fit: keepBest.monitor must be one of loss, accuracy, valLoss, valAccuracy, got "val_accuracy".',
    );
    model.dispose();
  });
});
