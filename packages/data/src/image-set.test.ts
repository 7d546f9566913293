import { describe, expect, it } from 'vitest';
import { assertImageSet } from './image-set';

describe('assertImageSet', () => {
  const ok = {
    count: 2,
    height: 2,
    width: 2,
    channels: 1,
    pixels: new Uint8Array(8),
    labels: Int32Array.from([0, 1]),
    classNames: ['a', 'b'],
  };

  it('accepts a consistent set', () => {
    expect(() => assertImageSet(ok)).not.toThrow();
  });

  it('names the inconsistency and the fix', () => {
    expect(() => assertImageSet({ ...ok, pixels: new Uint8Array(7) }, 'train.idx')).toThrow(
      'train.idx: pixels holds 7 bytes but count·height·width·channels = 8. Build the set from whole images.',
    );
    expect(() => assertImageSet({ ...ok, labels: Int32Array.from([0, 2]) })).toThrow(
      /label 2 of image 1 is outside \[0, 2\)/,
    );
  });
});
