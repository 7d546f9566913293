import { describe, expect, it } from 'vitest';
import { decodeImagePack, encodeImagePack, packImage } from './image-pack';

describe('image pack', () => {
  const pack = {
    count: 2,
    height: 2,
    width: 3,
    labels: new Uint8Array([7, 1]),
    pixels: Uint8Array.from({ length: 12 }, (_, i) => i * 20),
  };

  it('round-trips and slices images', () => {
    const bytes = encodeImagePack(pack);
    expect(bytes.length).toBe(16 + 2 + 12);
    const back = decodeImagePack(bytes);
    expect(back.count).toBe(2);
    expect(Array.from(back.labels)).toEqual([7, 1]);
    expect(Array.from(packImage(back, 1))).toEqual([120, 140, 160, 180, 200, 220]);
  });

  it('says what is wrong with a bad or truncated file', () => {
    expect(() => decodeImagePack(new Uint8Array(20), 'mnist.bin')).toThrow(
      'mnist.bin is not an image pack (it does not start with "GVIP"). Rebuild it with the script in apps/web/scripts/.',
    );
    expect(() => decodeImagePack(encodeImagePack(pack).subarray(0, 25), 'x.bin')).toThrow(
      'x.bin holds 25 bytes but its header (2 images of 2×3) needs 30 bytes',
    );
    expect(() => encodeImagePack({ ...pack, labels: new Uint8Array(1) })).toThrow(
      'needs 2 labels and 12 pixels, got 1 and 12',
    );
  });
});
