import { describe, expect, it } from 'vitest';
import { mapWeightName } from './weight-names';

const targets = new Set([
  'gru/kernel',
  'gru/recurrent_kernel',
  'gru/bias',
  'bidirectional/forward_gru_1/kernel',
  'bidirectional/backward_gru_1/kernel',
  'dense/kernel',
  'dense/bias',
]);
const weights = (names: string[]) => names.map((originalName) => ({ originalName }));
const layers: Record<string, { originalName: string }[][]> = {
  gru: [weights(['gru/kernel', 'gru/recurrent_kernel', 'gru/bias'])],
  bidirectional: [
    weights(['bidirectional/forward_gru_1/kernel']),
    weights(['bidirectional/backward_gru_1/kernel']),
  ],
  dense: [weights(['dense/kernel', 'dense/bias'])],
};
const map = (name: string) => mapWeightName(name, targets, (n) => layers[n]);

describe('mapWeightName', () => {
  it('keeps tfjs names', () => {
    expect(map('gru/kernel')).toBe('gru/kernel');
  });

  it('maps .h5 converter names (model prefix, cell scope)', () => {
    expect(map('sequential/gru/gru_cell/recurrent_kernel')).toBe('gru/recurrent_kernel');
    expect(map('sequential/dense/bias')).toBe('dense/bias');
    expect(map('sequential/bidirectional/backward_gru_1/gru_cell/kernel')).toBe(
      'bidirectional/backward_gru_1/kernel',
    );
  });

  it('maps positional .keras names', () => {
    expect(map('layers/gru/cell/vars/2')).toBe('gru/bias');
    expect(map('layers/dense/vars/0')).toBe('dense/kernel');
    expect(map('_layer_checkpoint_dependencies/dense/vars/1')).toBe('dense/bias');
    expect(map('layers/bidirectional/backward_layer/cell/vars/0')).toBe(
      'bidirectional/backward_gru_1/kernel',
    );
  });

  it('returns undefined for names that fit nothing', () => {
    expect(map('sequential/lstm/lstm_cell/kernel')).toBeUndefined();
    expect(map('layers/gru/cell/vars/7')).toBeUndefined();
  });
});
