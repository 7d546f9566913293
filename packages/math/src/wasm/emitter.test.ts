import { describe, expect, it } from 'vitest';
import { Code, emitModule, F32, I32, sleb, uleb } from './emitter';

describe('WebAssembly emitter', () => {
  it('encodes LEB128 as the specification examples', () => {
    const u: number[] = [];
    uleb(u, 624485);
    expect(u).toEqual([0xe5, 0x8e, 0x26]);
    const s: number[] = [];
    sleb(s, -123456);
    expect(s).toEqual([0xc0, 0xbb, 0x78]);
    const small: number[] = [];
    sleb(small, 63);
    sleb(small, 64);
    sleb(small, -64);
    expect(small).toEqual([0x3f, 0xc0, 0x00, 0x40]);
  });

  it('emits a valid module whose SIMD function runs on the imported memory', async () => {
    // store(p, x): memory[p .. p+16) = f32x4.splat(x) + f32x4(memory[p .. p+16)) · splat(x)
    const f = new Code([I32, F32]);
    const v = f.local(0x7b);
    f.get(1).f32x4Splat().set(v);
    f.get(0).get(v).get(0).v128Load().get(v).f32x4Mul().f32x4Add().v128Store();
    const bytes = emitModule({ minPages: 1 }, [{ name: 'store', results: [], code: f }]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const heap = new Float32Array(memory.buffer);
    heap.set([1, 2, 3, 4], 4);
    const instance = await WebAssembly.instantiate(await WebAssembly.compile(bytes), { env: { memory } });
    (instance.exports.store as (p: number, x: number) => void)(16, 2);
    expect(Array.from(heap.subarray(4, 8))).toEqual([4, 6, 8, 10]);
    expect(heap[3]).toBe(0);
    expect(heap[8]).toBe(0);
  });

  it('emits an empty function validly; a truncated module does not validate', () => {
    const f = new Code([]);
    const bytes = emitModule({ minPages: 1 }, [{ name: 'nop', results: [], code: f }]);
    expect(WebAssembly.validate(bytes)).toBe(true);
    expect(WebAssembly.validate(bytes.subarray(0, bytes.length - 1))).toBe(false);
  });
});
