import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import {
  addTrainingFlags,
  createOptionsFor,
  DEFAULT_PATIENCE,
  DEFAULT_PLATEAU_FACTOR,
  fitOptionsFor,
  parseAugment,
  parseClassWeight,
  trainingFlagsFrom,
  viewFlags,
} from './training-flags';

describe('training flags', () => {
  it('keep only the flags given, and map them to create, view and fit options', () => {
    expect(trainingFlagsFrom({}, 'gru')).toEqual({});
    expect(fitOptionsFor(trainingFlagsFrom({}, 'gru'))).toEqual({});
    const flags = trainingFlagsFrom(
      { l1: 0.001, l2: 0, labelSmoothing: 0.1, earlyStopping: true, goBackwards: true, permutationSeed: 0 },
      'lstm',
    );
    expect(flags).toEqual({
      l1: 0.001,
      l2: 0,
      labelSmoothing: 0.1,
      patience: DEFAULT_PATIENCE,
      goBackwards: true,
      permutationSeed: 0,
    });
    expect(fitOptionsFor(flags)).toEqual({
      l1: 0.001,
      l2: 0,
      labelSmoothing: 0.1,
      earlyStopping: { patience: DEFAULT_PATIENCE },
    });
    expect(createOptionsFor(flags)).toEqual({ goBackwards: true });
    expect(viewFlags(flags)).toEqual({ permutationSeed: 0 });
    expect(fitOptionsFor(trainingFlagsFrom({ patience: 5, headDropout: 0.2 }, 'gru'))).toEqual({
      headDropout: 0.2,
      earlyStopping: { patience: 5 },
    });
  });

  it('--reduce-on-plateau and --plateau-factor become the library reduceOnPlateau option', () => {
    expect(fitOptionsFor(trainingFlagsFrom({ reduceOnPlateau: 2, plateauFactor: 0.5 }, 'gru'))).toEqual({
      reduceOnPlateau: { patience: 2, factor: 0.5 },
    });
    expect(fitOptionsFor(trainingFlagsFrom({ reduceOnPlateau: 3 }, 'gru'))).toEqual({
      reduceOnPlateau: { patience: 3, factor: DEFAULT_PLATEAU_FACTOR },
    });
    expect(() => trainingFlagsFrom({ plateauFactor: 0.5 }, 'gru')).toThrow(
      '--plateau-factor needs --reduce-on-plateau <epochs>',
    );
  });

  it('--class-weight balanced or class=weight pairs becomes the library classWeight option', () => {
    expect(parseClassWeight('balanced')).toBe('balanced');
    expect(parseClassWeight('0=1, 1=2.5,cat=0')).toEqual({ '0': 1, '1': 2.5, cat: 0 });
    expect(fitOptionsFor(trainingFlagsFrom({ classWeight: { '3': 2 } }, 'gru'))).toEqual({
      classWeight: { '3': 2 },
    });
    expect(fitOptionsFor(trainingFlagsFrom({ classWeight: 'balanced' }, 'gru'))).toEqual({
      classWeight: 'balanced',
    });
    for (const bad of ['balance', '0=-1', '1=x', '=', '']) {
      expect(() => parseClassWeight(bad), bad).toThrow(/class=weight|balanced/);
    }
    const command = addTrainingFlags(new Command())
      .exitOverride()
      .configureOutput({ writeErr: () => {} });
    expect(() => command.parse(['--class-weight', '2=-0.5'], { from: 'user' })).toThrow(
      '"2=-0.5" is not class=weight with a weight ≥ 0',
    );
  });

  it('--plateau-factor outside (0, 1) is a usage error naming the value', () => {
    const command = addTrainingFlags(new Command())
      .exitOverride()
      .configureOutput({ writeErr: () => {} });
    for (const bad of ['0', '1', '1.5', 'x']) {
      expect(() =>
        command.parse(['--reduce-on-plateau', '2', '--plateau-factor', bad], { from: 'user' }),
      ).toThrow(`expected a number between 0 and 1 (e.g. 0.5), got "${bad}"`);
    }
    command.parse(['--reduce-on-plateau', '2', '--plateau-factor', '0.25'], { from: 'user' });
    expect(command.opts()).toMatchObject({ reduceOnPlateau: 2, plateauFactor: 0.25 });
  });

  it('refuses a recurrent activation for a simple RNN', () => {
    expect(() => trainingFlagsFrom({ recurrentActivation: 'hardSigmoid' }, 'rnn')).toThrow(
      '--recurrent-activation only applies to --cell gru or lstm',
    );
  });

  it('--augment maps key=value pairs to the library options and passes them to fit', () => {
    const augment = parseAugment(
      'shift=2, rotate=10,scale=0.1,elastic=34,elastic-sigma=4,noise=0.05,cutout=8',
    );
    expect(augment).toEqual({
      maxShift: 2,
      rotate: 10,
      scale: 0.1,
      elastic: 34,
      elasticSigma: 4,
      noise: 0.05,
      cutout: 8,
    });
    expect(fitOptionsFor(trainingFlagsFrom({ augment }, 'gru'))).toEqual({ augment });
  });

  it("--augment refuses unknown keys, non-numbers and values out of range, in the flag's words", () => {
    expect(() => parseAugment('rotation=10')).toThrow(
      '"rotation=10" is not key=value with a key of shift, rotate, scale, elastic, elastic-sigma, noise, cutout',
    );
    expect(() => parseAugment('rotate')).toThrow('"rotate" is not key=value');
    expect(() => parseAugment('noise=lots')).toThrow('noise=lots: expected a number');
    expect(() => parseAugment(',')).toThrow('expected key=value pairs');
    expect(() => parseAugment('rotate=400')).toThrow(
      'rotate 400 must be degrees in [0, 180], e.g. rotate=10.',
    );
    expect(() => parseAugment('shift=1.5')).toThrow('shift 1.5 must be a whole number ≥ 0, e.g. shift=2.');
    expect(() => parseAugment('elastic-sigma=0')).toThrow(
      'elastic-sigma 0 must be pixels in (0, 64], e.g. elastic-sigma=4.',
    );
  });
});
