import { describe, expect, it } from 'vitest';
import { formatBar, formatCount, formatDuration, formatPercent, formatTable } from './format';

describe('format', () => {
  it('formats durations, percentages and counts', () => {
    expect(formatDuration(3.21)).toBe('3.2 s');
    expect(formatDuration(245)).toBe('4 min 05 s');
    expect(formatDuration(3725)).toBe('1 h 02 min');
    expect(formatDuration(Number.NaN)).toBe('?');
    expect(formatPercent(0.98534)).toBe('98.53%');
    expect(formatCount(1234567)).toBe('1 234 567');
  });

  it('aligns a table', () => {
    const text = formatTable(
      [
        { cell: 'gru', acc: 0.981 },
        { cell: 'simpleRnn', acc: 0.9 },
      ],
      [
        { header: 'cell', value: (r) => r.cell, align: 'left' },
        { header: 'accuracy', value: (r) => formatPercent(r.acc, 1) },
      ],
    );
    expect(text.split('\n')).toEqual([
      'cell       accuracy',
      '─────────  ────────',
      'gru           98.1%',
      'simpleRnn     90.0%',
    ]);
  });

  it('draws a bar', () => {
    expect(formatBar(0.5, 4)).toBe('██░░');
    expect(formatBar(2, 3)).toBe('███');
  });
});
