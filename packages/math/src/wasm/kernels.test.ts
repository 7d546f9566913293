import { afterEach, describe, expect, it } from 'vitest';
import { GruMathError } from '../errors';
import { MathNetwork } from '../math-network';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { inArena } from './arena';
import { strided, wasmElementwise, wasmTanhBlend } from './ops';
import {
  activeKernels,
  allocFloat32,
  initKernels,
  kernelMode,
  setKernels,
  wasmSimdSupported,
} from './runtime';

describe('kernel selection', () => {
  afterEach(() => {
    setKernels('auto');
  });

  it('detects WebAssembly SIMD (Node 20 has it) and uses it by default', async () => {
    expect(wasmSimdSupported()).toBe(true);
    await initKernels();
    expect(kernelMode()).toBe('auto');
    expect(activeKernels()).toBe('wasm');
  });

  it("switches to the TypeScript kernels with 'js' and back", () => {
    setKernels('js');
    expect(activeKernels()).toBe('js');
    setKernels('wasm');
    expect(activeKernels()).toBe('wasm');
  });

  it('rejects an unknown mode with a message that lists the valid ones', () => {
    expect(() => setKernels('simd' as 'wasm')).toThrow(GruMathError);
    expect(() => setKernels('simd' as 'wasm')).toThrow(`kernels must be 'auto', 'wasm' or 'js', got "simd".`);
  });

  it('allocates Float32 buffers inside the WebAssembly memory only for the WASM kernels, zero-filled', () => {
    const a = allocFloat32(1000);
    expect(inArena(a)).toBe(true);
    expect(a.every((v) => v === 0)).toBe(true);
    a.fill(3);
    const b = allocFloat32(1000);
    expect(b.every((v) => v === 0)).toBe(true);
    expect(a[999]).toBe(3);
    setKernels('js');
    expect(inArena(allocFloat32(10))).toBe(false);
  });
});

describe('batch-1 inference', () => {
  const spec: ModelSpec = { timeSteps: 5, features: 4, classes: 3, layers: [{ cell: 'gru', units: 6 }] };
  for (const kernels of ['js', 'wasm'] as const) {
    it(`predictInto returns the same probabilities on every call and allocates no buffers (${kernels})`, () => {
      setKernels(kernels);
      const net = new MathNetwork(spec, { seed: 4 });
      const rng = new Rng(2);
      const x = Float32Array.from({ length: 20 }, () => rng.uniform(-1, 1));
      const expected = net.predictSync(x, 1);
      const out = new Float32Array(3);
      net.predictInto(x, 1, out);
      const created: number[] = [];
      const real = globalThis.Float32Array;
      // Count Float32Array constructions during repeated calls (subclass construction is observable).
      class Counting extends real {
        static override [Symbol.hasInstance](value: unknown): boolean {
          return value instanceof real;
        }
        constructor(...args: ConstructorParameters<typeof Float32Array>) {
          super(...(args as unknown as [number]));
          created.push(this.length);
        }
      }
      globalThis.Float32Array = Counting as unknown as Float32ArrayConstructor;
      try {
        for (let i = 0; i < 50; i++) {
          net.predictInto(x, 1, out);
          expect(Array.from(out)).toEqual(Array.from(expected));
        }
        expect(created).toEqual([]);
        // The counter sees allocations: predictSync allocates its result.
        net.predictSync(x, 1);
      } finally {
        globalThis.Float32Array = real;
      }
      expect(created).toEqual([3]);
    });
  }

  it('predictInto rejects a short output buffer', () => {
    const net = new MathNetwork(spec, { seed: 4 });
    expect(() => net.predictInto(new Float32Array(20), 1, new Float32Array(2))).toThrow(
      'out must hold batch × classes = 3 values, got 2. Allocate new Float32Array(3).',
    );
  });
});

describe('WebAssembly SIMD gate kernels', () => {
  afterEach(() => {
    setKernels('auto');
  });

  it('σ(a + b) and tanh(a + b) match Math within 2e-7 over [-100, 100], with strides and a column tail', () => {
    setKernels('wasm');
    const rows = 3;
    const cols = 4001;
    const ld = cols + 3;
    const a = allocFloat32(rows * ld);
    const b = allocFloat32(rows * ld);
    const out = allocFloat32(rows * ld);
    for (let i = 0; i < rows * ld; i++) {
      a[i] = -100 + (200 * i) / (rows * ld);
      b[i] = Math.sin(i) * 1e-3;
    }
    for (const kind of ['sigmoidOfSum', 'tanhOfSum'] as const) {
      out.fill(7);
      expect(
        wasmElementwise(
          kind,
          { out: strided(out, 1, ld), a: strided(a, 2, ld), b: strided(b, 0, ld) },
          rows,
          cols,
        ),
      ).toBe(true);
      let worst = 0;
      for (let i = 0; i < rows; i++) {
        for (let j = 0; j < cols; j++) {
          const v = a[2 + i * ld + j]! + b[i * ld + j]!;
          const want = kind === 'sigmoidOfSum' ? 1 / (1 + Math.exp(-v)) : Math.tanh(v);
          worst = Math.max(worst, Math.abs(out[1 + i * ld + j]! - want));
        }
      }
      expect(worst, kind).toBeLessThan(2e-7);
      expect(out[0], kind).toBe(7);
      expect(out[1 + cols], kind).toBe(7);
    }
  });

  it('mul and the GRU state update (tanh then blend) match the scalar formulas, tail columns included', () => {
    setKernels('wasm');
    const rows = 5;
    const cols = 19;
    const ld = 23;
    const rng = new Rng(6);
    const make = (): Float32Array => {
      const v = allocFloat32(rows * ld);
      for (let i = 0; i < v.length; i++) v[i] = rng.uniform(-3, 3);
      return v;
    };
    const [a, b, z, hp, hh, h, out] = [make(), make(), make(), make(), make(), make(), make()];
    for (let i = 0; i < z.length; i++) z[i] = 0.5 + z[i]! / 7;
    expect(
      wasmElementwise(
        'product',
        { out: strided(out, 0, ld), a: strided(a, 1, ld), b: strided(b, 2, ld) },
        rows,
        cols,
      ),
    ).toBe(true);
    expect(
      wasmTanhBlend(
        {
          hh: strided(hh, 0, ld),
          h: strided(h, 1, ld),
          a: strided(a, 2, ld),
          b: strided(b, 3, ld),
          z: strided(z, 0, ld),
          hp: strided(hp, 4, ld),
        },
        rows,
        cols,
      ),
    ).toBe(true);
    let worst = 0;
    for (let i = 0; i < rows; i++) {
      for (let j = 0; j < cols; j++) {
        const r = i * ld + j;
        worst = Math.max(worst, Math.abs(out[r]! - a[r + 1]! * b[r + 2]!));
        const t = Math.tanh(a[r + 2]! + b[r + 3]!);
        worst = Math.max(worst, Math.abs(hh[r]! - t));
        worst = Math.max(worst, Math.abs(h[r + 1]! - (z[r]! * hp[r + 4]! + (1 - z[r]!) * t)));
      }
    }
    expect(worst).toBeLessThan(1e-6);
  });

  it('declines (returns false) for the TypeScript kernels and for buffers outside the arena', () => {
    const a = new Float32Array(8);
    setKernels('wasm');
    expect(
      wasmElementwise('tanhOfSum', { out: strided(a, 0, 8), a: strided(a, 0, 8), b: strided(a, 0, 8) }, 1, 8),
    ).toBe(false);
    const inside = allocFloat32(8);
    expect(
      wasmElementwise(
        'tanhOfSum',
        { out: strided(inside, 0, 8), a: strided(inside, 0, 8), b: strided(inside, 0, 8) },
        1,
        8,
      ),
    ).toBe(true);
    setKernels('js');
    expect(
      wasmElementwise(
        'tanhOfSum',
        { out: strided(inside, 0, 8), a: strided(inside, 0, 8), b: strided(inside, 0, 8) },
        1,
        8,
      ),
    ).toBe(false);
  });
});

describe('the two kernel paths agree on whole networks', () => {
  afterEach(() => {
    setKernels('auto');
  });

  const base = { timeSteps: 7, features: 6, classes: 5 };
  const specs: Record<string, ModelSpec> = {
    'stacked GRU → bidirectional GRU(resetAfter) → LSTM': {
      ...base,
      layers: [
        { cell: 'gru', units: 14 },
        { cell: 'gru', units: 9, resetAfter: true, bidirectional: true },
        { cell: 'lstm', units: 5 },
      ],
    },
    // Layers narrower than one SIMD vector (units < 4) and the go-backwards order: the gate kernels
    // decline such widths and the TypeScript loops must take over every part of the step.
    'narrow goBackwards GRUs (units 3 and 2)': {
      ...base,
      layers: [
        { cell: 'gru', units: 3, goBackwards: true },
        { cell: 'gru', units: 2 },
      ],
    },
    'narrow GRU(resetAfter) and SimpleRNN': {
      ...base,
      layers: [
        { cell: 'gru', units: 3, resetAfter: true },
        { cell: 'simpleRnn', units: 5, goBackwards: true },
      ],
    },
  };

  it.each(Object.entries(specs))(
    '%s: probabilities, loss and gradients of a Float32 network match within 1e-5',
    (_, spec) => {
      const rng = new Rng(8);
      const B = 11;
      const x = Float32Array.from({ length: B * 7 * 6 }, () => rng.uniform(-1, 1));
      const y = Int32Array.from({ length: B }, () => rng.int(5));
      const run = (kernels: 'js' | 'wasm') => {
        setKernels(kernels);
        const net = new MathNetwork(spec, { seed: 3 });
        const probs = net.predictSync(x, B);
        const { loss, gradients } = net.computeGradients(x, y, B);
        return { probs, loss, gradients };
      };
      const js = run('js');
      const wasm = run('wasm');
      let worst = 0;
      for (let i = 0; i < js.probs.length; i++)
        worst = Math.max(worst, Math.abs(js.probs[i]! - wasm.probs[i]!));
      expect(worst).toBeLessThan(1e-5);
      expect(Math.abs(js.loss - wasm.loss)).toBeLessThan(1e-5 * Math.abs(js.loss));
      js.gradients.forEach((g, k) => {
        const w = wasm.gradients[k]!;
        let scale = 0;
        let diff = 0;
        for (let i = 0; i < g.values.length; i++) {
          scale = Math.max(scale, Math.abs(g.values[i]!));
          diff = Math.max(diff, Math.abs(g.values[i]! - w.values[i]!));
        }
        expect(diff, g.name).toBeLessThan(1e-5 * scale + 1e-7);
      });
    },
  );
});
