import { describe, expect, it } from 'vitest';
import {
  createOptionsFor,
  DEFAULT_PATIENCE,
  fitOptionsFor,
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

  it('refuses a recurrent activation for a simple RNN', () => {
    expect(() => trainingFlagsFrom({ recurrentActivation: 'hardSigmoid' }, 'rnn')).toThrow(
      '--recurrent-activation only applies to --cell gru or lstm',
    );
  });
});
