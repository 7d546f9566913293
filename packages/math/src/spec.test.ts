import { describe, expect, it } from 'vitest';
import { GruMathError } from './errors';
import { parameterCount, resolveLayers, validateSpec, weightLayout } from './spec';

describe('weightLayout', () => {
  it('lays out a GRU-128 MNIST-rows classifier in Keras order and sizes', () => {
    const { entries, totalSize } = weightLayout({
      timeSteps: 28,
      features: 28,
      classes: 10,
      layers: [{ cell: 'gru', units: 128 }],
    });
    expect(entries.map((e) => [e.name, e.shape, e.offset])).toEqual([
      ['gru/kernel', [28, 384], 0],
      ['gru/recurrent_kernel', [128, 384], 28 * 384],
      ['gru/bias', [384], 28 * 384 + 128 * 384],
      ['dense/kernel', [128, 10], 28 * 384 + 128 * 384 + 384],
      ['dense/bias', [10], 28 * 384 + 128 * 384 + 384 + 1280],
    ]);
    // Keras reports 61 578 parameters for GRU(128, reset_after=False) + Dense(10) on 28 features.
    expect(totalSize).toBe(61_578);
  });

  it('uses a [2, 3u] bias for resetAfter GRUs (Keras 3 / PyTorch)', () => {
    const { entries, totalSize } = weightLayout({
      timeSteps: 28,
      features: 28,
      classes: 10,
      layers: [{ cell: 'gru', units: 128, resetAfter: true }],
    });
    expect(entries[2]).toMatchObject({ name: 'gru/bias', shape: [2, 384] });
    // Keras 3 reports 61 962 parameters for GRU(128) (reset_after=True) + Dense(10).
    expect(totalSize).toBe(61_962);
  });

  it('names stacked and bidirectional layers like a Keras Sequential model', () => {
    const spec = {
      timeSteps: 8,
      features: 4,
      classes: 3,
      layers: [
        { cell: 'lstm', units: 5, bidirectional: true },
        { cell: 'gru', units: 6 },
        { cell: 'gru', units: 7 },
        { cell: 'simpleRnn', units: 2 },
      ],
    } as const;
    const names = weightLayout(spec).entries.map((e) => `${e.name} ${e.shape.join('x')}`);
    expect(names).toEqual([
      'bidirectional/forward_lstm/kernel 4x20',
      'bidirectional/forward_lstm/recurrent_kernel 5x20',
      'bidirectional/forward_lstm/bias 20',
      'bidirectional/backward_lstm/kernel 4x20',
      'bidirectional/backward_lstm/recurrent_kernel 5x20',
      'bidirectional/backward_lstm/bias 20',
      'gru/kernel 10x18',
      'gru/recurrent_kernel 6x18',
      'gru/bias 18',
      'gru_1/kernel 6x21',
      'gru_1/recurrent_kernel 7x21',
      'gru_1/bias 21',
      'simple_rnn/kernel 7x2',
      'simple_rnn/recurrent_kernel 2x2',
      'simple_rnn/bias 2',
      'dense/kernel 2x3',
      'dense/bias 3',
    ]);
    const layers = resolveLayers(spec);
    expect(layers.map((l) => l.returnSequences)).toEqual([true, true, true, false]);
    expect(parameterCount(spec)).toBe(weightLayout(spec).totalSize);
  });
});

describe('validateSpec', () => {
  const base = { timeSteps: 28, features: 28, classes: 10, layers: [{ cell: 'gru', units: 8 }] } as const;

  it('names the bad field and says how to fix it', () => {
    expect(() => validateSpec({ ...base, layers: [] })).toThrow(/spec.layers must list at least one/);
    expect(() => validateSpec({ ...base, features: 0 })).toThrow(
      'spec.features must be a positive integer, got 0. Fix the model spec.',
    );
    expect(() => validateSpec({ ...base, layers: [{ cell: 'gru', units: 8, dropout: 1 }] })).toThrow(
      /spec.layers\[0\].dropout must be a number in \[0, 1\)/,
    );
    expect(() => validateSpec({ ...base, layers: [{ cell: 'lstm', units: 8, resetAfter: true }] })).toThrow(
      /resetAfter only applies to GRU/,
    );
    try {
      // @ts-expect-error: a cell type that does not exist
      validateSpec({ ...base, layers: [{ cell: 'transformer', units: 8 }] });
      expect.unreachable();
    } catch (error) {
      expect(GruMathError.isInstance(error) && error.code).toBe('INVALID_SPEC');
    }
  });
});
