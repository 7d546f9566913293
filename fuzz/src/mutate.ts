import * as fc from 'fast-check';

/** One edit of a byte string; positions are taken modulo the length when applied. */
export type Mutation =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'u16'; at: number; value: number }
  | { kind: 'u32'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'repeat'; at: number; length: number; times: number };

/** Values that break size arithmetic: zero, one, sign bits, all ones, just past common limits. */
const EDGE_U32 = [
  0, 1, 2, 3, 255, 256, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff,
];
const EDGE_U16 = [0, 1, 2, 7, 8, 9, 255, 256, 0x7fff, 0x8000, 0xfffe, 0xffff];

/** Positions near the start (headers) are likelier than the rest. */
const position = fc.oneof({ weight: 3, arbitrary: fc.nat(64) }, { weight: 2, arbitrary: fc.nat() });

export const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: position, bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('set' as const), at: position, value: fc.nat(255) }),
  fc.record({
    kind: fc.constant('u16' as const),
    at: position,
    value: fc.oneof(fc.constantFrom(...EDGE_U16), fc.nat(0xffff)),
  }),
  fc.record({
    kind: fc.constant('u32' as const),
    at: position,
    value: fc.oneof(fc.constantFrom(...EDGE_U32), fc.nat({ max: 0xffffffff })),
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('insert' as const),
    at: position,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 32 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at: position, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at: position,
    length: fc.integer({ min: 1, max: 64 }),
    times: fc.integer({ min: 2, max: 64 }),
  }),
);

/** Applies `mutations` in order to a copy of `bytes`. */
export function applyMutations(bytes: Uint8Array, mutations: readonly Mutation[]): Uint8Array {
  let out = Uint8Array.from(bytes);
  for (const m of mutations) {
    const n = out.length;
    if (n === 0 && m.kind !== 'insert') continue;
    const at = n === 0 ? 0 : m.at % n;
    switch (m.kind) {
      case 'flip':
        out[at] = out[at]! ^ (1 << m.bit);
        break;
      case 'set':
        out[at] = m.value;
        break;
      case 'u16':
        if (at + 2 <= n) new DataView(out.buffer).setUint16(at, m.value);
        break;
      case 'u32':
        if (at + 4 <= n) new DataView(out.buffer).setUint32(at, m.value);
        break;
      case 'truncate':
        out = out.slice(0, at);
        break;
      case 'insert': {
        const next = new Uint8Array(n + m.bytes.length);
        next.set(out.subarray(0, at));
        next.set(m.bytes, at);
        next.set(out.subarray(at), at + m.bytes.length);
        out = next;
        break;
      }
      case 'delete':
        out = Uint8Array.from([...out.subarray(0, at), ...out.subarray(at + m.length)]);
        break;
      case 'repeat': {
        const piece = out.slice(at, at + m.length);
        const next = new Uint8Array(n + piece.length * (m.times - 1));
        next.set(out.subarray(0, at));
        for (let t = 0; t < m.times; t++) next.set(piece, at + t * piece.length);
        next.set(out.subarray(at + piece.length), at + piece.length * m.times);
        out = next;
        break;
      }
    }
  }
  return out;
}

/** Valid seed files, each mutated by 1–8 edits (and now and then left as it is). */
export function mutated(seeds: fc.Arbitrary<Uint8Array>): fc.Arbitrary<Uint8Array> {
  return fc
    .tuple(seeds, fc.array(mutationArb, { minLength: 0, maxLength: 8 }))
    .map(([bytes, mutations]) => applyMutations(bytes, mutations));
}

/** Joins byte strings (into a fresh array of its own, not a view of Node's buffer pool). */
export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  return new Uint8Array(Buffer.concat(parts));
}
