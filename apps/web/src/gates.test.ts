import { describe, expect, it } from 'vitest';
import { gatePanels, permuteColumns, unitsByChange } from './gates';

const f = (...v: number[]): Float32Array => Float32Array.from(v);

describe('gatePanels', () => {
  it('shows a GRU as z, r and h, with the update-gate convention in the caption', () => {
    const layer = { cell: 'gru', h: f(0.1), gates: { z: f(0.2), r: f(0.3), hCandidate: f(0.4) } };
    const panels = gatePanels(layer, 'takesNew');
    expect(panels.map((p) => [p.key, p.min, p.max])).toEqual([
      ['z', 0, 1],
      ['r', 0, 1],
      ['h', -1, 1],
    ]);
    expect(panels[0]!.caption).toContain('z = 1 takes the new candidate');
    expect(panels[1]!.values).toBe(layer.gates.r);
  });

  it('shows a minGRU as z, the positive candidate h̃ and h on one rounded-up scale', () => {
    // h̃ = g(·) > 0 and h is a mix of them: both on 0…M, M = 3.7 rounded up to 4.
    const layer = { cell: 'mingru', h: f(0.5, 2.1), gates: { z: f(0.1, 0.9), hCandidate: f(0.6, 3.7) } };
    const panels = gatePanels(layer, 'keepsOld');
    expect(panels.map((p) => [p.key, p.min, p.max])).toEqual([
      ['z', 0, 1],
      ['hCandidate', 0, 4],
      ['h', 0, 4],
    ]);
    expect(panels[0]!.caption).toMatch(/from the input alone/);
  });

  it('shows a minLSTM as f, i, h̃, h; an LSTM as i, f, o, h; a SimpleRNN as h', () => {
    const minlstm = { cell: 'minlstm', h: f(0.5), gates: { i: f(0.1), f: f(0.2), hCandidate: f(0.8) } };
    expect(gatePanels(minlstm, 'keepsOld').map((p) => [p.key, p.max])).toEqual([
      ['f', 1],
      ['i', 1],
      ['hCandidate', 1],
      ['h', 1],
    ]);
    const lstm = { cell: 'lstm', h: f(0), gates: { i: f(0), f: f(0), o: f(0), c: f(0) } };
    expect(gatePanels(lstm, 'keepsOld').map((p) => p.key)).toEqual(['i', 'f', 'o', 'h']);
    expect(gatePanels({ cell: 'simpleRnn', h: f(0), gates: {} }, 'keepsOld').map((p) => p.key)).toEqual([
      'h',
    ]);
  });
});

describe('unitsByChange', () => {
  it('orders units by the step of their largest change, ties in stored order', () => {
    // 3 steps × 4 units. Largest |Δh| (h_{-1} = 0): unit 0 at t = 2 (|−0.7 − 0.1|), unit 1 at t = 0
    // (0.9), unit 2 at t = 1 (|0.8 − 0.1|), unit 3 at t = 0 (0.5): by step 1, 3 | 2 | 0.
    const h = f(0, 0.9, 0.1, 0.5, 0.1, 0.9, 0.8, 0.6, -0.7, 0.9, 0.8, 0.6);
    expect(unitsByChange(h, 3, 4)).toEqual([1, 3, 2, 0]);
  });

  it('keeps the stored order when nothing changes', () => {
    expect(unitsByChange(new Float32Array(6), 2, 3)).toEqual([0, 1, 2]);
  });
});

describe('permuteColumns', () => {
  it('puts column order[k] at column k of every row', () => {
    const m = f(1, 2, 3, 4, 5, 6); // 2 × 3
    expect(Array.from(permuteColumns(m, 2, 3, [2, 0, 1]))).toEqual([3, 1, 2, 6, 4, 5]);
  });
});
