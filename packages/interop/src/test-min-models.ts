// Test helper (not exported): classifiers with minGRU / minLSTM layers for the ONNX Scan tests.
import type { Combination } from './test-models';

/** Every minimal-cell combination the ONNX Scan tests run (one mixes in a GRU layer). */
export const MIN_COMBINATIONS: readonly Combination[] = [
  { name: 'mingru, rows', layers: [{ cell: 'mingru', units: 6 }], view: { mode: 'rows' } },
  { name: 'minlstm, columns', layers: [{ cell: 'minlstm', units: 5 }], view: { mode: 'columns' } },
  {
    name: 'mingru bidirectional then minlstm bidirectional, patches 2 normalized',
    layers: [
      { cell: 'mingru', units: 4, bidirectional: true },
      { cell: 'minlstm', units: 3, bidirectional: true },
    ],
    view: { mode: 'patches', patchSize: 2, normalize: { mean: 0.3, std: 0.4 } },
    width: 8,
  },
  {
    name: 'minlstm goBackwards, then mingru bidirectional goBackwards, permuted rows',
    layers: [
      { cell: 'minlstm', units: 4, goBackwards: true },
      { cell: 'mingru', units: 3, bidirectional: true, goBackwards: true },
    ],
    view: { mode: 'rows', permutationSeed: 7 },
  },
  {
    name: 'gru then mingru (an ONNX GRU feeding a Scan), permuted pixels',
    layers: [
      { cell: 'gru', units: 5, resetAfter: true },
      { cell: 'mingru', units: 4 },
    ],
    view: { mode: 'pixels', permutationSeed: 3 },
    height: 4,
    width: 5,
  },
  {
    name: 'mingru, 784 pixels (sequential MNIST length)',
    layers: [{ cell: 'mingru', units: 8 }],
    view: { mode: 'pixels' },
    height: 28,
    width: 28,
  },
];
