import { describe, expect, it } from 'vitest';
import { memoryIo } from '../__fixtures__/memory-io';
import { createProgram } from '../program';
import { applyPreset, PRESET_HELP, presetValues } from './presets';
import { registerTrain } from './train';
import { fitOptionsFrom, fitSettingsFrom } from './train-settings';
import { trainingFlagsFrom } from './training-flags';

function parsedTrain(args: string[]) {
  const program = createProgram(memoryIo(), [registerTrain]);
  const command = program.commands.find((c) => c.name() === 'train')!;
  command.parseOptions(args);
  const raw = command.opts();
  return { set: applyPreset(command, raw), raw };
}

describe('--preset best', () => {
  it('fills in the recipe for MNIST; explicit flags win', () => {
    const { set, raw } = parsedTrain(['--preset', 'best', '--epochs', '3', '--units', '64']);
    expect(set).not.toContain('epochs');
    expect(set).not.toContain('units');
    expect(raw).toMatchObject({
      epochs: 3,
      units: 64,
      optimizer: 'adamw',
      batchSize: 128,
      labelSmoothing: 0.1,
      headDropout: 0.2,
      keepBest: 'valAccuracy',
      augment: { maxShift: 2, rotate: 10, scale: 0.1 },
    });
    const fit = fitOptionsFrom(fitSettingsFrom(raw, raw.epochs, trainingFlagsFrom(raw, 'gru')));
    expect(fit).toMatchObject({ optimizer: { type: 'adamw' }, labelSmoothing: 0.1, augment: { rotate: 10 } });
  });

  it('has a Fashion-MNIST recipe without rotations, and nothing without --preset', () => {
    const { raw } = parsedTrain(['--preset', 'best', '--dataset', 'fashion-mnist:./fashion']);
    expect(raw).toMatchObject({ epochs: 25, units: 256, augment: { maxShift: 2, cutout: 8 } });
    expect(raw.augment.rotate).toBeUndefined();
    const plain = parsedTrain(['--epochs', '2']);
    expect(plain.set).toEqual([]);
    expect(plain.raw.units).toBe(128);
    expect(plain.raw.augment).toBeUndefined();
  });

  it('help lists every value of both recipes as flags', () => {
    for (const dataset of ['mnist', 'fashion-mnist']) {
      for (const key of Object.keys(presetValues('best', dataset))) {
        expect(PRESET_HELP).toContain(`--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} `);
      }
    }
    expect(PRESET_HELP).toContain('--augment shift=2,rotate=10,scale=0.1');
    expect(PRESET_HELP).toContain('--augment shift=2,cutout=8');
  });
});
