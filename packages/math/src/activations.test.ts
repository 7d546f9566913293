import { describe, expect, it } from 'vitest';
import {
  gate,
  gateGrad,
  gateSlope,
  hardSigmoid,
  hardSigmoidCoefficients,
  hardSigmoidKeras3,
} from './activations';
import { RECURRENT_ACTIVATIONS } from './spec';

const xs = Array.from({ length: 81 }, (_, i) => -4 + i * 0.1);

describe('the two hard sigmoids', () => {
  it('are the formulas: tfjs/Keras 2 clip(0.2x + 0.5), Keras 3 relu6(x + 3)/6', () => {
    for (const x of xs) {
      expect(hardSigmoid(x)).toBeCloseTo(Math.min(1, Math.max(0, 0.2 * x + 0.5)), 15);
      expect(hardSigmoidKeras3(x)).toBeCloseTo(Math.min(6, Math.max(0, x + 3)) / 6, 15);
      expect(gate(x, gateSlope('hardSigmoid'))).toBe(hardSigmoid(x));
      expect(gate(x, gateSlope('hardSigmoidKeras3'))).toBe(hardSigmoidKeras3(x));
      expect(gate(x, gateSlope('sigmoid'))).toBeCloseTo(1 / (1 + Math.exp(-x)), 15);
    }
    // They differ (by up to 1/30 at x = ±2.5), and both are 1 − f(−x).
    expect(hardSigmoid(2.5) - hardSigmoidKeras3(2.5)).toBeCloseTo(1 / 12, 12);
    for (const x of xs) expect(hardSigmoidKeras3(-x)).toBeCloseTo(1 - hardSigmoidKeras3(x), 15);
  });

  it('derivatives match central differences away from the kinks', () => {
    for (const act of RECURRENT_ACTIVATIONS) {
      const slope = gateSlope(act);
      for (const x of xs) {
        if (slope !== 0 && Math.abs(Math.abs(x) - 0.5 / slope) < 1e-3) continue;
        const numeric = (gate(x + 1e-6, slope) - gate(x - 1e-6, slope)) / 2e-6;
        expect(gateGrad(gate(x, slope), slope)).toBeCloseTo(numeric, 6);
      }
    }
  });

  it('hardSigmoidCoefficients gives the ONNX HardSigmoid alpha, beta that reproduce each one', () => {
    expect(hardSigmoidCoefficients('sigmoid')).toBeUndefined();
    expect(hardSigmoidCoefficients('hardSigmoid')).toEqual({ alpha: 0.2, beta: 0.5 });
    expect(hardSigmoidCoefficients('hardSigmoidKeras3')).toEqual({ alpha: 1 / 6, beta: 0.5 });
    for (const act of ['hardSigmoid', 'hardSigmoidKeras3'] as const) {
      const { alpha, beta } = hardSigmoidCoefficients(act)!;
      for (const x of xs) {
        expect(Math.max(0, Math.min(1, alpha * x + beta))).toBeCloseTo(gate(x, gateSlope(act)), 15);
      }
    }
  });
});
