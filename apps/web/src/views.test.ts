import { describe, expect, it } from 'vitest';
import { stepSeries, updateGateCaption } from './views';

describe('stepSeries', () => {
  it('splits [T, classes] step probabilities into one series per class', () => {
    const probs = new Float32Array([0.9, 0.1, 0.4, 0.6, 0.2, 0.8]); // T = 3, classes = 2
    const series = stepSeries(probs, 3, ['cat', 'dog']);
    expect(series.map((s) => s.name)).toEqual(['cat', 'dog']);
    expect(series[0]!.values.map((v) => Number(v.toFixed(2)))).toEqual([0.9, 0.4, 0.2]);
    expect(series[1]!.values.map((v) => Number(v.toFixed(2)))).toEqual([0.1, 0.6, 0.8]);
    expect(series[0]!.color).not.toBe(series[1]!.color);
  });
});

describe('updateGateCaption', () => {
  it('says which convention the z heatmap shows', () => {
    expect(updateGateCaption('keepsOld')).toContain('z = 1 keeps the old state');
    expect(updateGateCaption('takesNew')).toContain('z = 1 takes the new candidate');
  });
});
