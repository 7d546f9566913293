import { describe, expect, it } from 'vitest';
import { dtypeFromPolicy, normalizeKerasConfig } from './keras-config';

// Configs as tfjs hands them over: snake_case keys already camel-cased, string values camel-cased too.
describe('normalizeKerasConfig', () => {
  it('turns a Keras 3 InputLayer batchShape into batchInputShape and DTypePolicy objects into dtypes', () => {
    const input = {
      name: 'sequential',
      dtype: {
        module: 'keras',
        className: 'DTypePolicy',
        config: { name: 'mixed_float16' },
        registeredName: null,
      },
      layers: [
        {
          className: 'InputLayer',
          config: { batchShape: [null, 28, 28], dtype: 'float32', name: 'input_layer' },
        },
        {
          className: 'LSTM',
          config: {
            name: 'lstm',
            dtype: {
              module: 'keras',
              className: 'DTypePolicy',
              config: { name: 'float32' },
              registeredName: null,
            },
            recurrentInitializer: { className: 'OrthogonalInitializer', config: { gain: 1, seed: null } },
          },
        },
      ],
    };
    const out = normalizeKerasConfig(input);
    expect(out).toEqual({
      name: 'sequential',
      dtype: 'float32',
      layers: [
        {
          className: 'InputLayer',
          config: { batchInputShape: [null, 28, 28], dtype: 'float32', name: 'input_layer' },
        },
        {
          className: 'LSTM',
          config: {
            name: 'lstm',
            dtype: 'float32',
            recurrentInitializer: { className: 'Orthogonal', config: { gain: 1, seed: null } },
          },
        },
      ],
    });
    expect(input.layers[0]!.config).toHaveProperty('batchShape'); // the input is not mutated
  });

  it('drops the serialized backward layer of a Bidirectional and the forward_ prefix of its layer', () => {
    const out = normalizeKerasConfig({
      className: 'Bidirectional',
      config: {
        name: 'bidirectional',
        layer: { className: 'GRU', config: { name: 'forward_gru' } },
        backwardLayer: { className: 'GRU', config: { name: 'backward_gru', goBackwards: true } },
      },
    });
    expect(out).toEqual({
      className: 'Bidirectional',
      config: { name: 'bidirectional', layer: { className: 'GRU', config: { name: 'gru' } } },
    });
  });

  it('rewrites Keras 3 functional inbound nodes (keras_history) to the list form tfjs reads', () => {
    const kerasTensor = (history: unknown[]) => ({
      className: 'KerasTensor',
      config: { kerasHistory: history },
    });
    const out = normalizeKerasConfig({
      layers: [
        {
          className: 'InputLayer',
          name: 'input_layer',
          config: { name: 'input_layer', batchShape: [null, 2] },
        },
        {
          className: 'Concatenate',
          name: 'concat_1',
          config: { name: 'concat_1' },
          inboundNodes: [
            { args: [[kerasTensor(['inputLayer', 0, 0]), kerasTensor(['inputLayer', 0, 0])]], kwargs: {} },
          ],
        },
      ],
      inputLayers: ['input_layer', 0, 0],
      outputLayers: [['concat_1', 0, 0]],
    }) as { layers: { inboundNodes?: unknown }[]; inputLayers: unknown; outputLayers: unknown };
    expect(out.layers[1]!.inboundNodes).toEqual([
      [
        ['input_layer', 0, 0, {}],
        ['input_layer', 0, 0, {}],
      ],
    ]);
    expect(out.inputLayers).toEqual([['input_layer', 0, 0]]);
    expect(out.outputLayers).toEqual([['concat_1', 0, 0]]);
  });
});

describe('dtypeFromPolicy', () => {
  it('maps policies onto the dtypes tfjs computes in', () => {
    expect(dtypeFromPolicy({ className: 'DTypePolicy', config: { name: 'int32' } })).toBe('int32');
    expect(dtypeFromPolicy({ className: 'DTypePolicy', config: { name: 'mixed_bfloat16' } })).toBe('float32');
    expect(dtypeFromPolicy('float32')).toBe('float32');
  });
});
