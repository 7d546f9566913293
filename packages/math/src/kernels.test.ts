import { afterEach, describe, expect, it } from 'vitest';
import { GruMathError } from './errors';
import {
  activeKernels,
  allocFloat32,
  initKernels,
  kernelMode,
  setKernels,
  wasmSimdSupported,
} from './kernels';
import { MathNetwork } from './network';
import { Rng } from './rng';
import type { ModelSpec } from './spec';
import { inArena } from './wasm-arena';

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
