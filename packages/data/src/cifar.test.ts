import { describe, expect, it } from 'vitest';
import {
  CIFAR10_CLASS_NAMES,
  CIFAR100_COARSE_CLASS_NAMES,
  CIFAR100_FINE_CLASS_NAMES,
  readCifar,
  writeCifar,
} from './cifar';

function fixture(count: number, labels: number[]) {
  const pixels = new Uint8Array(count * 32 * 32 * 3);
  for (let i = 0; i < pixels.length; i++) pixels[i] = (i * 7 + (i >> 10)) % 251;
  return { count, height: 32, width: 32, channels: 3, pixels, labels: Int32Array.from(labels) };
}

describe('CIFAR binary', () => {
  it('has the official class lists', () => {
    expect(CIFAR10_CLASS_NAMES).toHaveLength(10);
    expect(CIFAR100_FINE_CLASS_NAMES).toHaveLength(100);
    expect(CIFAR100_COARSE_CLASS_NAMES).toHaveLength(20);
    expect(new Set(CIFAR100_FINE_CLASS_NAMES).size).toBe(100);
    expect(CIFAR100_FINE_CLASS_NAMES[0]).toBe('apple');
    expect(CIFAR100_FINE_CLASS_NAMES[99]).toBe('worm');
    expect(CIFAR100_COARSE_CLASS_NAMES[19]).toBe('vehicles_2');
  });

  it('round-trips CIFAR-10 and converts planar records to HWC', () => {
    const set = fixture(3, [3, 9, 0]);
    const bytes = writeCifar(set, { variant: 'cifar10' });
    expect(bytes.length).toBe(3 * 3073);
    // record 1: label byte, then the R plane; pixel (0,1) red sits at plane offset 1.
    expect(bytes[3073]).toBe(9);
    expect(bytes[3073 + 1 + 1]).toBe(set.pixels[3072 + 3]);
    expect(bytes[3073 + 1 + 1024 + 1]).toBe(set.pixels[3072 + 4]);
    const read = readCifar(bytes, { variant: 'cifar10' });
    expect(read).toMatchObject({ count: 3, height: 32, width: 32, channels: 3 });
    expect(read.classNames).toBe(CIFAR10_CLASS_NAMES);
    expect(Array.from(read.labels)).toEqual([3, 9, 0]);
    expect(Buffer.from(read.pixels).equals(Buffer.from(set.pixels))).toBe(true);
  });

  it('round-trips CIFAR-100 with fine and coarse labels', () => {
    const set = fixture(2, [99, 42]);
    const bytes = writeCifar(set, { variant: 'cifar100', otherLabels: [19, 4] });
    expect(bytes.length).toBe(2 * 3074);
    expect([bytes[0], bytes[1]]).toEqual([19, 99]);
    const fine = readCifar(bytes, { variant: 'cifar100' });
    expect(Array.from(fine.labels)).toEqual([99, 42]);
    expect(fine.classNames).toHaveLength(100);
    const coarse = readCifar(bytes, { variant: 'cifar100', label: 'coarse' });
    expect(Array.from(coarse.labels)).toEqual([19, 4]);
    expect(coarse.classNames[19]).toBe('vehicles_2');
    expect(Buffer.from(coarse.pixels).equals(Buffer.from(set.pixels))).toBe(true);
  });

  it('names a size that is not a multiple of the record size', () => {
    const bytes = writeCifar(fixture(2, [1, 2]), { variant: 'cifar10' });
    expect(() =>
      readCifar(bytes.subarray(0, 5000), { variant: 'cifar10', source: 'data_batch_1.bin' }),
    ).toThrow(
      'data_batch_1.bin: 5000 bytes is not a multiple of the cifar10 record size 3073 (1 label byte(s) + 3072 ' +
        'pixel bytes). The file is truncated or not a CIFAR binary batch; download or extract it again.',
    );
    const cifar100 = writeCifar(fixture(3, [1, 2, 3]), { variant: 'cifar100' });
    expect(() => readCifar(cifar100, { variant: 'cifar10', source: 'train.bin' })).toThrow(
      "train.bin: 9222 bytes is not a multiple of the cifar10 record size 3073 (1 label byte(s) + 3072 pixel bytes). It is a whole number of cifar100 records: pass variant 'cifar100'.",
    );
  });

  it('names a label out of range', () => {
    const bytes = writeCifar(fixture(2, [1, 2]), { variant: 'cifar10' });
    bytes[3073] = 10;
    expect(() => readCifar(bytes, { variant: 'cifar10', source: 'test_batch.bin' })).toThrow(
      'test_batch.bin: label 10 of record 1 is outside [0, 10) for 10 classes. Pass the matching class names ' +
        '(classNames) or fix the label file.',
    );
  });
});
