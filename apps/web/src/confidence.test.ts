import { describe, expect, it } from 'vitest';
import { doubt, inkShare } from './confidence';

const pct = (p: number): string => `${(p * 100).toFixed(1)} %`;
const image = (inked: number, size = 784): Uint8Array => {
  const px = new Uint8Array(size);
  px.fill(255, 0, inked);
  return px;
};
const sure = Float32Array.from([0.97, 0.01, 0.02]);

describe('doubt', () => {
  it('lets a confident prediction of a digit-like input stand', () => {
    expect(inkShare(image(100))).toBeCloseTo(100 / 784);
    expect(doubt(sure, image(100), true, pct)).toBeNull();
  });

  it('warns when the best class is unlikely', () => {
    expect(doubt(Float32Array.from([0.4, 0.35, 0.25]), image(100), true, pct)).toMatch(
      /^Not sure: the best guess has only 40\.0 %/,
    );
  });

  it('warns about an input with more ink than any training digit, even at 99 %', () => {
    expect(doubt(sure, image(400), true, pct)).toMatch(
      /^This does not look like a digit: ink covers 51\.0 %/,
    );
    // Not for models that do not read digits (no ink statistics for them).
    expect(doubt(sure, image(400), false, pct)).toBeNull();
  });

  it('warns about an almost empty input', () => {
    expect(doubt(sure, image(5), true, pct)).toMatch(/^There is too little ink/);
  });
});
