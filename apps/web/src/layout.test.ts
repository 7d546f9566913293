import { describe, expect, it } from 'vitest';
import { heatColor } from './layout';

describe('heatColor', () => {
  it('goes from blue through white to red and clamps', () => {
    expect(heatColor(0, 0, 1)).toBe('rgb(0, 0, 255)');
    expect(heatColor(0.5, 0, 1)).toBe('rgb(255, 255, 255)');
    expect(heatColor(1, 0, 1)).toBe('rgb(255, 0, 0)');
    expect(heatColor(7, 0, 1)).toBe('rgb(255, 0, 0)');
  });
});
