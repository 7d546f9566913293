// minGRU / minLSTM against the paper's own log-space formulation run in float64 PyTorch with autograd
// (fixture written by scripts/make-min-fixtures.py with Debian's python3-torch).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { recurrentBackward, recurrentForward } from './sequence';
import { RecurrentWorkspace } from './workspace';

interface TorchCase {
  cell: 'mingru' | 'minlstm';
  B: number;
  T: number;
  I: number;
  u: number;
  x: number[];
  kernel: number[];
  bias: number[];
  h0: number[];
  dLdh: number[];
  h: number[];
  dx: number[];
  dKernel: number[];
  dBias: number[];
  dh0: number[];
}

const fixture = JSON.parse(
  readFileSync(new URL('../__fixtures__/min-torch.json', import.meta.url), 'utf8'),
) as {
  cases: TorchCase[];
};

/** [B,T,D] ↔ [T,B,D]. */
function swap(a: ArrayLike<number>, n0: number, n1: number, d: number): Float64Array {
  const out = new Float64Array(n0 * n1 * d);
  for (let i = 0; i < n0; i++)
    for (let j = 0; j < n1; j++)
      for (let k = 0; k < d; k++) out[(j * n0 + i) * d + k] = a[(i * n1 + j) * d + k]!;
  return out;
}

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
    scale = Math.max(scale, Math.abs(b[i]!));
  }
  return diff / scale;
}

describe('minGRU / minLSTM against the paper’s log-space PyTorch code (float64)', () => {
  for (const c of fixture.cases) {
    for (const scan of ['sequential', 'parallel'] as const) {
      it(`${c.cell}, T = ${c.T}, ${scan}: states and gradients within 1e-10`, () => {
        const { B, T, I, u } = c;
        const G = (c.cell === 'mingru' ? 2 : 3) * u;
        const ws = new RecurrentWorkspace(
          {
            cell: c.cell,
            units: u,
            inputSize: I,
            resetAfter: false,
            recurrentActivation: 'sigmoid',
            goBackwards: false,
          },
          T,
          'float64',
        );
        ws.scan = scan;
        const params = {
          kernel: Float64Array.from(c.kernel),
          recurrentKernel: new Float64Array(0),
          bias: Float64Array.from(c.bias),
        };
        const x = swap(c.x, B, T, I);
        recurrentForward(ws, x, params, B, Float64Array.from(c.h0), null);
        expect(relErr(swap(ws.hs.subarray(B * u, (T + 1) * B * u), T, B, u), c.h)).toBeLessThan(1e-10);
        ws.ensureBackwardCapacity(B);
        ws.dHs.set(swap(c.dLdh, B, T, u));
        const grads = {
          kernel: new Float64Array(I * G),
          recurrentKernel: new Float64Array(0),
          bias: new Float64Array(G),
        };
        const dx = new Float64Array(T * B * I);
        recurrentBackward(ws, grads, dx, x, params);
        expect(relErr(grads.kernel, c.dKernel), 'kernel').toBeLessThan(1e-10);
        expect(relErr(grads.bias, c.dBias), 'bias').toBeLessThan(1e-10);
        expect(relErr(swap(dx, T, B, I), c.dx), 'x').toBeLessThan(1e-10);
        expect(relErr(ws.dh.subarray(0, B * u), c.dh0), 'h0').toBeLessThan(1e-10);
      });
    }
  }
});
