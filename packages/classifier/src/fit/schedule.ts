import type { ScheduleType } from '@gruvision/math';
import { SCHEDULE_TYPES } from '@gruvision/math';
import { GruClassifierError } from '../errors';

/**
 * How the learning rate changes during training. Every kind takes an optional linear warm-up from
 * `base / stepsPerEpoch`-ish small values to the base rate over the first `warmupEpochs` epochs (per batch).
 * - `constant`: the base rate.
 * - `step`: multiplied by `gamma` every `everyEpochs` epochs.
 * - `cosine`: cosine decay from the base rate (after warm-up) to `minLearningRate` at the end of training.
 */
export type LearningRateSchedule = (
  | { readonly type: 'constant'; readonly warmupEpochs?: number }
  | {
      readonly type: 'step';
      readonly everyEpochs: number;
      /** Default 0.1. */
      readonly gamma?: number;
      readonly warmupEpochs?: number;
    }
  | {
      readonly type: 'cosine';
      /** Default 0. */
      readonly minLearningRate?: number;
      readonly warmupEpochs?: number;
    }
) & { readonly type: ScheduleType };

/** Where training is, for a schedule. `epoch` counts from 0. */
export interface SchedulePosition {
  readonly epoch: number;
  readonly batch: number;
  readonly batchesPerEpoch: number;
  readonly epochs: number;
}

/** Throws a `GruClassifierError` when `schedule` has an unusable field. */
export function validateSchedule(schedule: LearningRateSchedule): void {
  const bad = (message: string): never => {
    throw new GruClassifierError('INVALID_ARGUMENT', `schedule: ${message}`);
  };
  const warmup = schedule.warmupEpochs;
  if (warmup !== undefined && !(warmup >= 0 && Number.isFinite(warmup))) {
    bad(`warmupEpochs must be a number ≥ 0, got ${warmup}.`);
  }
  if (schedule.type === 'step') {
    if (!(Number.isInteger(schedule.everyEpochs) && schedule.everyEpochs >= 1)) {
      bad(`everyEpochs must be a positive integer, got ${schedule.everyEpochs}.`);
    }
    if (schedule.gamma !== undefined && !(schedule.gamma > 0 && schedule.gamma <= 1)) {
      bad(`gamma must be in (0, 1], got ${schedule.gamma}.`);
    }
  } else if (schedule.type === 'cosine') {
    const min = schedule.minLearningRate;
    if (min !== undefined && !(min >= 0 && Number.isFinite(min))) {
      bad(`minLearningRate must be a number ≥ 0, got ${min}.`);
    }
  } else if (schedule.type !== 'constant') {
    const names = SCHEDULE_TYPES.map((t) => `"${t}"`);
    bad(
      `type must be ${names.slice(0, -1).join(', ')} or ${names.at(-1)}, got ${JSON.stringify((schedule as { type: unknown }).type)}.`,
    );
  }
}

/** The learning rate for the batch at `position`, a pure function so resumed runs follow the same curve. */
export function learningRateAt(
  base: number,
  schedule: LearningRateSchedule | undefined,
  position: SchedulePosition,
): number {
  if (schedule === undefined) return base;
  const { epoch, batch, batchesPerEpoch, epochs } = position;
  const progress = epoch + batch / Math.max(1, batchesPerEpoch);
  const warmup = schedule.warmupEpochs ?? 0;
  if (warmup > 0 && progress < warmup) {
    const step = epoch * batchesPerEpoch + batch + 1;
    return (base * step) / Math.max(1, Math.round(warmup * batchesPerEpoch));
  }
  switch (schedule.type) {
    case 'constant':
      return base;
    case 'step':
      return base * (schedule.gamma ?? 0.1) ** Math.floor(epoch / schedule.everyEpochs);
    case 'cosine': {
      const min = schedule.minLearningRate ?? 0;
      const span = Math.max(1e-9, epochs - warmup);
      const t = Math.min(1, Math.max(0, (progress - warmup) / span));
      return min + 0.5 * (base - min) * (1 + Math.cos(Math.PI * t));
    }
  }
}
