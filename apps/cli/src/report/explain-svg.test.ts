import type { Explanation } from '@gruvision/classifier';
import { describe, expect, it } from 'vitest';
import { explanationSvg, updateGateNote } from './explain-svg';

const explanation = {
  timeSteps: 2,
  features: 2,
  image: { width: 2, height: 2, channels: 1, pixels: Uint8Array.of(0, 255, 255, 0) },
  layers: [
    {
      layer: 'gru',
      direction: 'forward',
      units: 2,
      gates: { z: new Float32Array(4), r: new Float32Array(4), hCandidate: new Float32Array(4) },
      h: new Float32Array(4),
    },
  ],
  stepProbabilities: Float32Array.of(0.5, 0.5, 0.9, 0.1),
  steps: [
    { className: 'a', probability: 0.5 },
    { className: 'a', probability: 0.9 },
  ],
  prediction: { className: 'a', probability: 0.9 },
} as unknown as Explanation;

describe('explanationSvg', () => {
  it('says under every update-gate panel which convention its z follows', () => {
    const keras = explanationSvg(explanation, ['a', 'b']);
    expect(keras).toContain(updateGateNote('keepsOld'));
    expect(keras).toContain('z = 1 keeps the old state');
    const founding = explanationSvg(explanation, ['a', 'b'], { gru: 'takesNew' });
    expect(founding).toContain('z = 1 takes the new candidate');
    expect(founding).not.toContain('keeps the old state');
  });
});
