import { describe, it } from 'vitest';
import { checkNetworkGradients } from './__fixtures__/gradient-check';

describe('NetworkCore: Float64 finite-difference gradient checks of whole networks', () => {
  const base = { timeSteps: 4, features: 3, classes: 3 };
  it('GRU + dense head with label smoothing and L2', () => {
    checkNetworkGradients(
      { ...base, layers: [{ cell: 'gru', units: 5 }] },
      { labelSmoothing: 0.1, l2: 0.01 },
    );
  });
  it('GRU + dense head with per-sample loss weights (class × sample; one sample weighs 0) and label smoothing', () => {
    checkNetworkGradients(
      { ...base, layers: [{ cell: 'gru', units: 5 }] },
      { labelSmoothing: 0.1, weights: [2.5, 0, 0.75] },
    );
  });
  it('GRU + dense head with L1 and L2 together (|w| is smooth away from 0)', () => {
    checkNetworkGradients({ ...base, layers: [{ cell: 'gru', units: 5 }] }, { l1: 0.02, l2: 0.01 });
  });
  it('stacked GRU (returnSequences) → LSTM → SimpleRNN', () => {
    checkNetworkGradients(
      {
        ...base,
        layers: [
          { cell: 'gru', units: 4, resetAfter: true },
          { cell: 'lstm', units: 3 },
          { cell: 'simpleRnn', units: 4, goBackwards: true },
        ],
      },
      {},
    );
  });
  it('bidirectional GRU then bidirectional LSTM (last layer)', () => {
    checkNetworkGradients(
      {
        ...base,
        layers: [
          { cell: 'gru', units: 3, bidirectional: true, recurrentActivation: 'hardSigmoid' },
          { cell: 'lstm', units: 2, bidirectional: true },
        ],
      },
      {},
    );
  });
  it('stacked bidirectional layers with dropout, recurrent dropout and head dropout (masks held fixed)', () => {
    checkNetworkGradients(
      {
        ...base,
        headDropout: 0.3,
        layers: [
          { cell: 'gru', units: 3, bidirectional: true, dropout: 0.3, recurrentDropout: 0.3 },
          { cell: 'lstm', units: 3, dropout: 0.2, recurrentDropout: 0.4 },
          { cell: 'simpleRnn', units: 2, bidirectional: true, dropout: 0.25, recurrentDropout: 0.25 },
        ],
      },
      { dropout: true },
    );
  });
});
