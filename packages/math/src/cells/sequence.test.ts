import { describe, expect, it } from 'vitest';
import { gradientError, Rng, randomArray } from '../__fixtures__/gradient-check';
import { recurrentBackward, recurrentForward } from './sequence';
import { type RecurrentCellConfig, type RecurrentParams, RecurrentWorkspace } from './workspace';

interface Case {
  readonly name: string;
  readonly config: RecurrentCellConfig;
  readonly inputMask?: boolean;
  readonly recurrentMask?: boolean;
  readonly h0?: boolean;
}

const base = { units: 4, inputSize: 5, resetAfter: false, goBackwards: false } as const;
const masks = { inputMask: true, recurrentMask: true } as const;
const masksAndInitialState = { ...masks, h0: true } as const;
const cases: Case[] = [
  { name: 'GRU', config: { ...base, cell: 'gru', recurrentActivation: 'sigmoid' } },
  {
    name: 'GRU resetAfter',
    config: { ...base, cell: 'gru', resetAfter: true, recurrentActivation: 'sigmoid' },
  },
  { name: 'GRU hardSigmoid', config: { ...base, cell: 'gru', recurrentActivation: 'hardSigmoid' } },
  {
    name: 'GRU hardSigmoidKeras3 with dropout masks',
    config: { ...base, cell: 'gru', recurrentActivation: 'hardSigmoidKeras3' },
    ...masks,
  },
  {
    name: 'GRU resetAfter hardSigmoidKeras3 initial state',
    config: { ...base, cell: 'gru', resetAfter: true, recurrentActivation: 'hardSigmoidKeras3' },
    h0: true,
  },
  {
    name: 'GRU resetAfter hardSigmoid goBackwards',
    config: { ...base, cell: 'gru', resetAfter: true, recurrentActivation: 'hardSigmoid', goBackwards: true },
  },
  {
    name: 'GRU takesNew (founding text) with dropout masks and initial state',
    config: { ...base, cell: 'gru', recurrentActivation: 'sigmoid', updateGate: 'takesNew' },
    ...masksAndInitialState,
  },
  {
    name: 'GRU resetAfter takesNew (founding text) hardSigmoidKeras3 goBackwards, initial state',
    config: {
      ...base,
      cell: 'gru',
      resetAfter: true,
      recurrentActivation: 'hardSigmoidKeras3',
      updateGate: 'takesNew',
      goBackwards: true,
    },
    h0: true,
  },
  {
    name: 'GRU goBackwards',
    config: { ...base, cell: 'gru', recurrentActivation: 'sigmoid', goBackwards: true },
  },
  {
    name: 'GRU with dropout masks and initial state',
    config: { ...base, cell: 'gru', recurrentActivation: 'sigmoid' },
    ...masksAndInitialState,
  },
  {
    name: 'GRU resetAfter with dropout masks and initial state',
    config: { ...base, cell: 'gru', resetAfter: true, recurrentActivation: 'sigmoid' },
    ...masksAndInitialState,
  },
  { name: 'LSTM', config: { ...base, cell: 'lstm', recurrentActivation: 'sigmoid' } },
  {
    name: 'LSTM hardSigmoid goBackwards, masks, initial state',
    config: { ...base, cell: 'lstm', recurrentActivation: 'hardSigmoid', goBackwards: true },
    ...masksAndInitialState,
  },
  { name: 'SimpleRNN', config: { ...base, cell: 'simpleRnn', recurrentActivation: 'sigmoid' } },
  {
    name: 'SimpleRNN goBackwards, masks, initial state',
    config: { ...base, cell: 'simpleRnn', recurrentActivation: 'sigmoid', goBackwards: true },
    ...masksAndInitialState,
  },
];

function dropoutMask(rng: Rng, n: number, rate: number): Float64Array {
  const m = new Float64Array(n);
  for (let i = 0; i < n; i++) m[i] = rng.next() < rate ? 0 : 1 / (1 - rate);
  return m;
}

describe('recurrent cells: Float64 finite-difference gradient checks', () => {
  for (const c of cases) {
    it(`${c.name}: kernel, recurrent kernel, bias, input and initial state`, () => {
      const rng = new Rng(11);
      const T = 4;
      const B = 3;
      const { units: u, inputSize: I } = c.config;
      const G = (c.config.cell === 'gru' ? 3 : c.config.cell === 'lstm' ? 4 : 1) * u;
      const biasSize = c.config.cell === 'gru' && c.config.resetAfter ? 2 * G : G;
      const params: RecurrentParams = {
        kernel: randomArray(rng, I * G, 0.8),
        recurrentKernel: randomArray(rng, u * G, 0.8),
        bias: randomArray(rng, biasSize, 0.5),
      };
      const x = randomArray(rng, T * B * I);
      const h0 = c.h0 ? randomArray(rng, B * u, 0.9) : null;
      const coef = randomArray(rng, T * B * u);
      const ws = new RecurrentWorkspace(c.config, T, 'float64');
      ws.ensureCapacity(B);
      if (c.inputMask) ws.inputMask = dropoutMask(rng, B * I, 0.3);
      if (c.recurrentMask) ws.recurrentMask = dropoutMask(rng, B * u, 0.3);

      const loss = (): number => {
        recurrentForward(ws, x, params, B, h0, null);
        let l = 0;
        for (let k = 0; k < T * B * u; k++) l += coef[k]! * ws.hs[B * u + k]!;
        return l;
      };
      loss();
      ws.ensureBackwardCapacity(B);
      ws.dHs.set(coef);
      const grads = {
        kernel: new Float64Array(I * G),
        recurrentKernel: new Float64Array(u * G),
        bias: new Float64Array(biasSize),
      };
      const dx = new Float64Array(T * B * I);
      recurrentBackward(ws, grads, dx, x, params);
      const dh0 = Float64Array.from(ws.dh.subarray(0, B * u));

      expect(gradientError(loss, params.kernel, grads.kernel)).toBeLessThan(1e-6);
      expect(gradientError(loss, params.recurrentKernel, grads.recurrentKernel)).toBeLessThan(1e-6);
      expect(gradientError(loss, params.bias, grads.bias)).toBeLessThan(1e-6);
      expect(gradientError(loss, x, dx)).toBeLessThan(1e-6);
      if (h0 !== null) expect(gradientError(loss, h0, dh0)).toBeLessThan(1e-6);
      // The gradient is not trivially zero.
      expect(grads.recurrentKernel.some((v) => Math.abs(v) > 1e-3)).toBe(true);
    });
  }

  it('backward adds into existing gradients (+=)', () => {
    const rng = new Rng(3);
    const config: RecurrentCellConfig = { ...base, cell: 'gru', recurrentActivation: 'sigmoid' };
    const T = 3;
    const B = 2;
    const params: RecurrentParams = {
      kernel: randomArray(rng, 5 * 12),
      recurrentKernel: randomArray(rng, 4 * 12),
      bias: randomArray(rng, 12),
    };
    const x = randomArray(rng, T * B * 5);
    const ws = new RecurrentWorkspace(config, T, 'float64');
    recurrentForward(ws, x, params, B, null, null);
    ws.ensureBackwardCapacity(B);
    ws.dHs.fill(1);
    const once = {
      kernel: new Float64Array(60),
      recurrentKernel: new Float64Array(48),
      bias: new Float64Array(12),
    };
    recurrentBackward(ws, once, null, x, params);
    const twice = {
      kernel: new Float64Array(60),
      recurrentKernel: new Float64Array(48),
      bias: new Float64Array(12),
    };
    recurrentBackward(ws, twice, null, x, params);
    recurrentBackward(ws, twice, null, x, params);
    for (let i = 0; i < 48; i++)
      expect(twice.recurrentKernel[i]).toBeCloseTo(2 * once.recurrentKernel[i]!, 12);
  });
});
