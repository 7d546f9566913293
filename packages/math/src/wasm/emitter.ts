/**
 * A minimal WebAssembly binary emitter: just enough of the format (types, one imported memory,
 * functions, exports, code) and of the instruction set (i32/f32 scalar, the SIMD f32x4 subset) to
 * build the math kernels at run time from TypeScript, with no build step and no opaque binary.
 *
 * Reference: the WebAssembly core specification, binary format (sections 5.1–5.5), the fixed-width
 * SIMD proposal (opcode prefix 0xfd) and the relaxed SIMD proposal (`f32x4.relaxed_madd`, 0xfd 0x105).
 */

/** Value types. */
export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;
export type ValType = typeof I32 | typeof F32 | typeof V128;

/** Appends the unsigned LEB128 encoding of `value` (a non-negative 32-bit integer). */
export function uleb(out: number[], value: number): void {
  let v = value >>> 0;
  do {
    let byte = v & 0x7f;
    v >>>= 7;
    if (v !== 0) byte |= 0x80;
    out.push(byte);
  } while (v !== 0);
}

/** Appends the signed LEB128 encoding of `value` (a 32-bit integer). */
export function sleb(out: number[], value: number): void {
  let v = value | 0;
  for (;;) {
    const byte = v & 0x7f;
    v >>= 7;
    const done = (v === 0 && (byte & 0x40) === 0) || (v === -1 && (byte & 0x40) !== 0);
    out.push(done ? byte : byte | 0x80);
    if (done) return;
  }
}

/** Appends a vector of bytes: its length, then the bytes. */
function byteVector(out: number[], bytes: ArrayLike<number>): void {
  uleb(out, bytes.length);
  for (let i = 0; i < bytes.length; i++) out.push(bytes[i]!);
}

function utf8(out: number[], text: string): void {
  byteVector(out, new TextEncoder().encode(text));
}

/** Appends `f32.const value`: the opcode and the value's four little-endian IEEE 754 bytes. */
function f32Const(out: number[], value: number): void {
  out.push(0x43);
  for (const b of new Uint8Array(new Float32Array([value]).buffer)) out.push(b);
}

/** Appends a section: id, byte length, contents. */
function section(out: number[], id: number, body: number[]): void {
  out.push(id);
  byteVector(out, body);
}

/**
 * Instruction builder for one function body. Methods append one instruction and return `this`, so
 * kernels read as stack-machine code: `f.get(a).get(b).i32Add().set(c)`.
 */
export class Code {
  readonly bytes: number[] = [];
  private readonly locals: ValType[] = [];
  /** Hoist `f32x4` constants into locals initialized at function entry. */
  hoistConstants = false;
  private readonly constants = new Map<number, number>();
  private readonly prologue: number[] = [];

  /** `params` are the function's parameter types; they occupy the first local indices. */
  constructor(readonly params: readonly ValType[]) {}

  /** Declares a new local and returns its index. */
  local(type: ValType): number {
    this.locals.push(type);
    return this.params.length + this.locals.length - 1;
  }

  private op(...bytes: number[]): this {
    for (const b of bytes) this.bytes.push(b);
    return this;
  }

  /** An instruction with one unsigned LEB128 immediate: a branch depth, a local index, a SIMD opcode. */
  private withIndex(opcode: number, index: number): this {
    this.bytes.push(opcode);
    uleb(this.bytes, index);
    return this;
  }

  private simd(opcode: number): this {
    return this.withIndex(0xfd, opcode);
  }

  private mem(align: number, offset: number): this {
    uleb(this.bytes, align);
    uleb(this.bytes, offset);
    return this;
  }

  // Control.
  block(): this {
    return this.op(0x02, 0x40);
  }
  loop(): this {
    return this.op(0x03, 0x40);
  }
  if(): this {
    return this.op(0x04, 0x40);
  }
  else(): this {
    return this.op(0x05);
  }
  end(): this {
    return this.op(0x0b);
  }
  br(depth: number): this {
    return this.withIndex(0x0c, depth);
  }
  brIf(depth: number): this {
    return this.withIndex(0x0d, depth);
  }

  /** `br_table`: pops an index and branches to `depths[index]`, or to `otherwise` when out of range. */
  brTable(depths: readonly number[], otherwise: number): this {
    this.op(0x0e);
    uleb(this.bytes, depths.length);
    for (const d of depths) uleb(this.bytes, d);
    uleb(this.bytes, otherwise);
    return this;
  }
  /** Calls function `index` of the module (no imported functions: the index in `emitModule`'s list). */
  call(index: number): this {
    this.op(0x10);
    uleb(this.bytes, index);
    return this;
  }

  // Locals.
  get(index: number): this {
    return this.withIndex(0x20, index);
  }
  set(index: number): this {
    return this.withIndex(0x21, index);
  }
  tee(index: number): this {
    return this.withIndex(0x22, index);
  }

  // i32.
  i32(value: number): this {
    this.op(0x41);
    sleb(this.bytes, value);
    return this;
  }
  i32Eqz(): this {
    return this.op(0x45);
  }
  i32Eq(): this {
    return this.op(0x46);
  }
  i32Ne(): this {
    return this.op(0x47);
  }
  i32LtS(): this {
    return this.op(0x48);
  }
  i32GtS(): this {
    return this.op(0x4a);
  }
  i32GeS(): this {
    return this.op(0x4e);
  }
  i32Add(): this {
    return this.op(0x6a);
  }
  i32Sub(): this {
    return this.op(0x6b);
  }
  i32Mul(): this {
    return this.op(0x6c);
  }
  i32And(): this {
    return this.op(0x71);
  }
  i32ShrU(): this {
    return this.op(0x76);
  }

  // f32.
  f32(value: number): this {
    f32Const(this.bytes, value);
    return this;
  }
  i32Load(offset = 0): this {
    return this.op(0x28).mem(2, offset);
  }
  f32Load(offset = 0): this {
    return this.op(0x2a).mem(2, offset);
  }
  f32Store(offset = 0): this {
    return this.op(0x38).mem(2, offset);
  }
  f32Add(): this {
    return this.op(0x92);
  }
  f32Mul(): this {
    return this.op(0x94);
  }

  // SIMD (alignment hint 4 bytes: rows of a matrix are only Float32-aligned).
  v128Load(offset = 0): this {
    return this.simd(0x00).mem(2, offset);
  }
  v128Load32Splat(offset = 0): this {
    return this.simd(0x09).mem(2, offset);
  }
  v128Store(offset = 0): this {
    return this.simd(0x0b).mem(2, offset);
  }
  f32x4Splat(): this {
    return this.simd(0x13);
  }
  /**
   * f32x4 with all lanes equal to `value` (an f32 constant splatted). With `hoistConstants`, each distinct
   * constant is splatted once into a local at function entry and read from it here (cheaper in loops).
   */
  f32x4(value: number): this {
    if (!this.hoistConstants) return this.f32(value).f32x4Splat();
    const key = Math.fround(value);
    let local = this.constants.get(key);
    if (local === undefined) {
      local = this.local(V128);
      this.constants.set(key, local);
      f32Const(this.prologue, value);
      this.prologue.push(0xfd);
      uleb(this.prologue, 0x13);
      this.prologue.push(0x21);
      uleb(this.prologue, local);
    }
    return this.get(local);
  }
  i32x4Splat(): this {
    return this.simd(0x11);
  }
  /** Lane-wise a ≥ b: all ones where true, zeros where false (a mask for `v128Bitselect`). */
  f32x4Ge(): this {
    return this.simd(0x46);
  }
  /** Pops a, b, mask and pushes (a & mask) | (b & ~mask): a where the mask is set, else b. */
  v128Bitselect(): this {
    return this.simd(0x52);
  }
  f32x4Nearest(): this {
    return this.simd(0x6a);
  }
  i32x4Shl(): this {
    return this.simd(0xab);
  }
  i32x4Add(): this {
    return this.simd(0xae);
  }
  f32x4Add(): this {
    return this.simd(0xe4);
  }
  f32x4Sub(): this {
    return this.simd(0xe5);
  }
  f32x4Mul(): this {
    return this.simd(0xe6);
  }
  f32x4Div(): this {
    return this.simd(0xe7);
  }
  f32x4Min(): this {
    return this.simd(0xe8);
  }
  f32x4Max(): this {
    return this.simd(0xe9);
  }
  i32x4TruncSatF32x4S(): this {
    return this.simd(0xf8);
  }
  /**
   * Relaxed SIMD `f32x4.relaxed_madd`: pops a, b, c and pushes a·b + c, fused (one rounding) or not as
   * the engine chooses for this machine (V8: fused where the CPU has FMA). Validates only on runtimes
   * with relaxed SIMD (Node 22+, Chrome 114+; Node 20 behind `--experimental-wasm-relaxed-simd`).
   */
  f32x4RelaxedMadd(): this {
    return this.simd(0x105);
  }

  /** The encoded body: local declarations, instructions, `end`. */
  encode(): number[] {
    const body: number[] = [];
    // Run-length groups of equal local types.
    const groups: [number, ValType][] = [];
    for (const t of this.locals) {
      const last = groups[groups.length - 1];
      if (last !== undefined && last[1] === t) last[0]++;
      else groups.push([1, t]);
    }
    uleb(body, groups.length);
    for (const [n, t] of groups) {
      uleb(body, n);
      body.push(t);
    }
    for (const b of this.prologue) body.push(b);
    for (const b of this.bytes) body.push(b);
    body.push(0x0b);
    const out: number[] = [];
    byteVector(out, body);
    return out;
  }
}

/** A function to emit: its exported name, parameter and result types, and body. */
export interface FunctionDef {
  readonly name: string;
  readonly results: readonly ValType[];
  readonly code: Code;
}

/** Memory imported as `env.memory`: its minimum size in 64 KiB pages, and whether it is shared. */
export interface MemoryImport {
  readonly minPages: number;
  readonly maxPages?: number;
  readonly shared?: boolean;
}

/** Encodes a module importing `env.memory` and exporting every function of `functions`. */
export function emitModule(memory: MemoryImport, functions: readonly FunctionDef[]): Uint8Array<ArrayBuffer> {
  const out: number[] = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];

  const types: number[] = [];
  uleb(types, functions.length);
  for (const f of functions) {
    types.push(0x60);
    uleb(types, f.code.params.length);
    for (const p of f.code.params) types.push(p);
    uleb(types, f.results.length);
    for (const r of f.results) types.push(r);
  }
  section(out, 1, types);

  const imports: number[] = [];
  uleb(imports, 1);
  utf8(imports, 'env');
  utf8(imports, 'memory');
  imports.push(0x02);
  const hasMax = memory.maxPages !== undefined;
  imports.push((hasMax ? 0x01 : 0x00) | (memory.shared === true ? 0x02 : 0x00));
  uleb(imports, memory.minPages);
  if (hasMax) uleb(imports, memory.maxPages!);
  section(out, 2, imports);

  const funcs: number[] = [];
  uleb(funcs, functions.length);
  for (let i = 0; i < functions.length; i++) uleb(funcs, i);
  section(out, 3, funcs);

  const exports: number[] = [];
  uleb(exports, functions.length);
  functions.forEach((f, i) => {
    utf8(exports, f.name);
    exports.push(0x00);
    uleb(exports, i);
  });
  section(out, 7, exports);

  const code: number[] = [];
  uleb(code, functions.length);
  for (const f of functions) for (const b of f.code.encode()) code.push(b);
  section(out, 10, code);

  return new Uint8Array(out);
}
