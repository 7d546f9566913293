import { parameterCount } from '@gruvision/math';
import { describe, expect, it } from 'vitest';
import { defaultSpec } from './default-spec';

describe('defaultSpec', () => {
  it('defaults to one GRU-128 layer, sigmoid gates, resetAfter false', () => {
    const spec = defaultSpec({ timeSteps: 28, features: 28, classes: 10 });
    expect(spec.layers).toEqual([
      {
        cell: 'gru',
        units: 128,
        resetAfter: false,
        recurrentActivation: 'sigmoid',
        bidirectional: false,
        dropout: 0,
        recurrentDropout: 0,
      },
    ]);
    expect(parameterCount(spec)).toBe(61_578);
  });

  it('stacks layers and rejects a bad unit count with the math core error', () => {
    expect(
      defaultSpec({ timeSteps: 4, features: 3, classes: 2, layers: 3, cell: 'lstm' }).layers,
    ).toHaveLength(3);
    expect(() => defaultSpec({ timeSteps: 4, features: 3, classes: 2, units: 0 })).toThrow(
      'spec.layers[0].units must be a positive integer, got 0. Fix the model spec.',
    );
  });
});
