import { InvalidArgumentError } from 'commander';
import { describe, expect, it } from 'vitest';
import { byteSize, choice, fraction, list, positiveInt, positiveNumber } from './options';

describe('option parsers', () => {
  it('accept good values', () => {
    expect(positiveInt('12')).toBe(12);
    expect(positiveNumber('1e-3')).toBe(0.001);
    expect(fraction('0.1')).toBe(0.1);
    expect(choice(['gru', 'lstm'])('lstm')).toBe('lstm');
    expect(list(positiveInt)('32, 64,128')).toEqual([32, 64, 128]);
    expect(byteSize('1073741824')).toBe(1024 ** 3);
    expect(byteSize('512MiB')).toBe(512 * 1024 ** 2);
    expect(byteSize('4G')).toBe(4 * 1024 ** 3);
    expect(byteSize('1.5gb')).toBe(1.5 * 1024 ** 3);
  });

  it('reject bad values with a message that says what was expected', () => {
    expect(() => positiveInt('0')).toThrow(InvalidArgumentError);
    expect(() => positiveInt('1.5')).toThrow('expected a positive whole number, got "1.5".');
    expect(() => positiveNumber('-1')).toThrow('expected a number > 0, got "-1".');
    expect(() => fraction('1')).toThrow('expected a number in [0, 1), got "1".');
    expect(() => choice(['gru', 'lstm'])('transformer')).toThrow(
      'expected one of gru, lstm, got "transformer".',
    );
    expect(() => byteSize('lots')).toThrow(
      'expected a size such as 512MiB, 4GiB or 1073741824 (bytes), got "lots".',
    );
    expect(() => byteSize('0')).toThrow(InvalidArgumentError);
    expect(() => list(positiveInt)('32,x')).toThrow('in "32,x": expected a positive whole number, got "x".');
  });
});
