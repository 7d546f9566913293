import { describe, expect, it } from 'vitest';
import { formatLatency, formatPercent, topK } from './top-k';

describe('topK', () => {
  it('ranks classes by probability, ties by index', () => {
    const ranked = topK([0.1, 0.6, 0.1, 0.2], ['a', 'b', 'c', 'd'], 3);
    expect(ranked).toEqual([
      { index: 1, label: 'b', probability: 0.6 },
      { index: 3, label: 'd', probability: 0.2 },
      { index: 0, label: 'a', probability: 0.1 },
    ]);
  });

  it('falls back to the index as label and clips k', () => {
    expect(topK(new Float32Array([0.25, 0.75]), [], 5).map((r) => r.label)).toEqual(['1', '0']);
    expect(topK([1], ['x'], 0)).toEqual([]);
  });
});

describe('formatting', () => {
  it('formats percentages and latencies', () => {
    expect(formatPercent(0.9731)).toBe('97.3%');
    expect(formatPercent(1.2)).toBe('100.0%');
    expect(formatPercent(Number.NaN)).toBe('0.0%');
    expect(formatLatency(0.421)).toBe('0.42 ms');
    expect(formatLatency(12.34)).toBe('12.3 ms');
    expect(formatLatency(1250)).toBe('1.25 s');
    expect(formatLatency(-1)).toBe('—');
  });
});
