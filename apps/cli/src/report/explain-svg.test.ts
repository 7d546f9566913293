import type { Explanation } from '@gruvision/classifier';
import { decode } from 'fast-png';
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

/** A GRU-128 explanation of a 28×28 picture (28 steps), with gate values that sweep their ranges. */
function gru128(): Explanation {
  const T = 28;
  const U = 128;
  const ramp = (f: (t: number, u: number) => number) =>
    Float32Array.from({ length: T * U }, (_, i) => f(Math.floor(i / U), i % U));
  return {
    timeSteps: T,
    features: 28,
    image: {
      width: 28,
      height: 28,
      channels: 1,
      pixels: Uint8Array.from({ length: 784 }, (_, i) => i % 256),
    },
    layers: [
      {
        layer: 'gru',
        direction: 'forward',
        units: U,
        gates: {
          z: ramp((_t, u) => u / (U - 1)),
          r: ramp((t) => t / (T - 1)),
          hCandidate: ramp((_t, u) => (u / (U - 1)) * 2 - 1),
        },
        h: ramp((t, u) => Math.sin(t + u)),
      },
    ],
    stepProbabilities: Float32Array.from({ length: T * 10 }, (_, i) => (i % 10 === 3 ? 0.9 : 0.01)),
    steps: Array.from({ length: T }, () => ({ className: '3', probability: 0.9 })),
    prediction: { className: '3', probability: 0.9 },
  } as unknown as Explanation;
}

/** The PNG of the panel drawn after the title `title`. */
function panelPixels(svg: string, title: string) {
  const at = svg.indexOf(`>${title}</text>`);
  const png = /href="data:image\/png;base64,([^"]+)"/.exec(svg.slice(at))![1]!;
  return decode(Buffer.from(png, 'base64'));
}

describe('explanationSvg of a GRU-128 (issue 16: the pictures were about 1 MB)', () => {
  const svg = explanationSvg(gru128(), [...'0123456789']);

  it('stays under 100 KB: each panel is one picture with a pixel per cell, not a rectangle per cell', () => {
    expect(Buffer.byteLength(svg)).toBeLessThan(100_000);
    expect(svg.match(/<image /g)).toHaveLength(1 + 4 + 1); // input, z r ĥ h, class probabilities
    expect(svg).toContain('style="image-rendering:pixelated"');
  });

  it('colors each cell by its value: z 0 white, z 1 deep blue; ĥ −1 blue, +1 red; a step per row', () => {
    const z = panelPixels(svg, 'gru z');
    expect([z.width, z.height, z.channels]).toEqual([128, 28, 3]);
    const at = (image: typeof z, row: number, column: number) =>
      Array.from(image.data.slice((row * image.width + column) * 3, (row * image.width + column) * 3 + 3));
    // References from the color scales: sequential 255 − (225, 175, 75)·v; diverging ±200 per unit.
    expect(at(z, 5, 0)).toEqual([255, 255, 255]);
    expect(at(z, 5, 127)).toEqual([30, 80, 180]);
    const r = panelPixels(svg, 'gru r');
    expect(at(r, 0, 64)).toEqual([255, 255, 255]);
    expect(at(r, 27, 64)).toEqual([30, 80, 180]);
    const candidate = panelPixels(svg, 'gru ĥ');
    expect(at(candidate, 0, 0)).toEqual([55, 55, 255]);
    expect(at(candidate, 0, 127)).toEqual([255, 55, 55]);
    const input = panelPixels(svg, 'input (28×28)');
    expect(at(input, 1, 2)).toEqual([30, 30, 30]); // pixel 30 of the picture: gray level 30
  });
});
