import { describe, expect, it } from 'vitest';
import { interopFormats } from './index';

describe('@gruvision/interop', () => {
  it('names the formats it moves models through', () => {
    expect(interopFormats).toEqual(['onnx', 'safetensors']);
  });
});
