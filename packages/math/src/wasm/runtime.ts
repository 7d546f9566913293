/**
 * Kernel selection and the compiled WebAssembly module: the TypeScript GEMM (any element type) or the
 * WebAssembly SIMD kernels (Float32 only). The typed entry points that run on the module are in `ops.ts`.
 *
 * `setKernels('auto' | 'wasm' | 'js')` chooses for the whole process (each worker chooses for itself):
 * - `'auto'` (default): WebAssembly SIMD when the runtime supports it, else TypeScript.
 * - `'wasm'`: WebAssembly SIMD; throws when unsupported.
 * - `'js'`: TypeScript kernels only.
 * Float64 products (gradient checks) always run the TypeScript kernels.
 *
 * The WebAssembly module is generated in memory by `gemm-module.ts` and compiled once: asynchronously
 * by `initKernels()` (called by `mathEngine.create`), or synchronously on first use otherwise.
 */
import { GruMathError } from '../errors';
import { arenaAlloc, arenaHeap, arenaMemory, arenaScratch, inArena, MAX_PAGES } from './arena';
import type { BlendKernel, ElementwiseKernel, GateKernelExports, MapKernel } from './gate-module';
import { type GemmFlavor, type KernelModuleExports, kernelModuleBytes, type RowsKernel } from './gemm-module';
import type { RunStepsKernel } from './step-module';

/** Which GEMM kernels the math core runs. */
export type KernelMode = 'auto' | 'wasm' | 'js';

/** The kernels actually in use after resolving `'auto'`. */
export type ActiveKernels = 'wasm' | 'js';

let mode: KernelMode = 'auto';
let supported: boolean | undefined;
let compiling: Promise<void> | undefined;
let runtime: WasmRuntime | undefined;
/** Set when compiling or instantiating the module failed: the TypeScript kernels are used from then on. */
let failed = false;

/** True when this JavaScript runtime validates WebAssembly modules using SIMD (f32x4). */
export function wasmSimdSupported(): boolean {
  if (supported === undefined) {
    try {
      supported = typeof WebAssembly === 'object' && WebAssembly.validate(kernelModuleBytes());
    } catch {
      supported = false;
    }
  }
  return supported;
}

let relaxedSupported: boolean | undefined;
/** False after `setRelaxedSimd(false)`: the plain-SIMD GEMM even where relaxed SIMD is available. */
let relaxedAllowed = true;

/** True when this runtime validates the relaxed-SIMD GEMM (`f32x4.relaxed_madd`): Node 22+, Chrome 114+. */
export function wasmRelaxedSimdSupported(): boolean {
  if (relaxedSupported === undefined) {
    try {
      relaxedSupported = wasmSimdSupported() && WebAssembly.validate(kernelModuleBytes(undefined, 'relaxed'));
    } catch {
      relaxedSupported = false;
    }
  }
  return relaxedSupported;
}

/**
 * The build of the WebAssembly GEMM in use: 'relaxed' (`f32x4.relaxed_madd`) where the runtime has relaxed
 * SIMD and `setRelaxedSimd(false)` was not called, else 'simd' (multiply, then add).
 */
export function wasmGemmFlavor(): GemmFlavor {
  return relaxedAllowed && wasmRelaxedSimdSupported() ? 'relaxed' : 'simd';
}

/**
 * Allows (the default) or forbids the relaxed-SIMD GEMM in this process. Changing it drops the compiled
 * kernels: the next product compiles the other build (or `await initKernels()` does it ahead).
 */
export function setRelaxedSimd(allowed: boolean): void {
  if (allowed === relaxedAllowed) return;
  relaxedAllowed = allowed;
  runtime = undefined;
  compiling = undefined;
}

/** Chooses the GEMM kernels for this process. Throws when `'wasm'` is asked for but unsupported. */
export function setKernels(kernels: KernelMode): void {
  if (kernels !== 'auto' && kernels !== 'wasm' && kernels !== 'js') {
    throw new GruMathError(
      'INVALID_ARGUMENT',
      `kernels must be 'auto', 'wasm' or 'js', got ${JSON.stringify(kernels)}.`,
    );
  }
  if (kernels === 'wasm' && (failed || !wasmSimdSupported())) {
    throw new GruMathError(
      'INVALID_ARGUMENT',
      failed
        ? "kernels 'wasm' is unavailable: compiling the WebAssembly module failed here (a browser main thread may refuse synchronous compilation: await initKernels() first). Use 'auto' or 'js'."
        : "kernels 'wasm' needs WebAssembly SIMD, which this runtime does not support. Use 'auto' or 'js'.",
    );
  }
  mode = kernels;
}

/** The requested kernel mode (as given to `setKernels`). */
export function kernelMode(): KernelMode {
  return mode;
}

/** The kernels Float32 products run on now: `'wasm'` or `'js'`. */
export function activeKernels(): ActiveKernels {
  return mode !== 'js' && !failed && wasmSimdSupported() ? 'wasm' : 'js';
}

/** Compiles the WebAssembly module ahead of first use (asynchronously, allowed on browser main threads). */
export async function initKernels(): Promise<void> {
  if (runtime !== undefined || !wasmSimdSupported()) return;
  compiling ??= (async () => {
    try {
      const shared = arenaMemory() !== null;
      const flavor = wasmGemmFlavor();
      const module = await WebAssembly.compile(kernelModuleBytes(shared ? MAX_PAGES : undefined, flavor));
      if (flavor === wasmGemmFlavor()) runtime ??= new WasmRuntime(module, shared);
    } catch {
      failed = true;
    }
  })();
  await compiling;
}

const PAGE = 65536;

/**
 * One instance of the kernel module (GEMM row panels and gate kernels). With the shared arena (`arena.ts`) available, it runs on the
 * arena memory and operands allocated there are used in place; otherwise on a private growable memory
 * used only as scratch space for copies.
 */
export class WasmRuntime {
  readonly memory: WebAssembly.Memory;
  /** Row-panel kernels by height for A with contiguous rows (sak = 4) and with contiguous columns (sai = 4). */
  readonly kernelsN: readonly RowsKernel[];
  readonly kernelsT: readonly RowsKernel[];
  readonly sigmoidOfSum: ElementwiseKernel;
  readonly tanhOfSum: ElementwiseKernel;
  readonly product: ElementwiseKernel;
  readonly tanhBlend: BlendKernel;
  readonly gruBwdZh: MapKernel;
  readonly gruBwdR: MapKernel;
  /** Every gate kernel by name (`gate-module.ts`). */
  readonly gates: GateKernelExports;
  /** `run_steps` (`step-program.ts`) and the index of every function of the module by name. */
  readonly runSteps: RunStepsKernel;
  readonly functionIndex: ReadonlyMap<string, number>;
  private privateHeap: Float32Array;

  constructor(
    module: WebAssembly.Module,
    readonly shared: boolean,
  ) {
    this.memory = shared ? arenaMemory()! : new WebAssembly.Memory({ initial: 16 });
    const instance = new WebAssembly.Instance(module, { env: { memory: this.memory } });
    const e = instance.exports as unknown as KernelModuleExports;
    this.kernelsN = [e.rowsN1, e.rowsN1, e.rowsN2, e.rowsN3, e.rowsN4];
    this.kernelsT = [e.rowsT1, e.rowsT1, e.rowsT2, e.rowsT3, e.rowsT4];
    this.sigmoidOfSum = e.sigmoid_of_sum;
    this.tanhOfSum = e.tanh_of_sum;
    this.product = e.product;
    this.tanhBlend = e.tanh_blend;
    this.gruBwdZh = e.gru_bwd_zh;
    this.gruBwdR = e.gru_bwd_r;
    this.gates = instance.exports as unknown as GateKernelExports;
    this.runSteps = e.run_steps;
    // Every function is exported, in index order (`emitModule`).
    this.functionIndex = new Map(WebAssembly.Module.exports(module).map((x, i) => [x.name, i]));
    this.privateHeap = shared ? new Float32Array(0) : new Float32Array(this.memory.buffer);
  }

  /** Reserves scratch space of `floats` elements; returns its element offset (valid until the next call). */
  scratch(floats: number): number {
    if (this.shared) return arenaScratch(floats);
    const bytes = floats * 4;
    const have = this.memory.buffer.byteLength;
    if (bytes > have) {
      this.memory.grow(Math.ceil((bytes - have) / PAGE));
      this.privateHeap = new Float32Array(this.memory.buffer);
    }
    return 0;
  }

  /** The whole memory as Float32 (call after `scratch`, which may grow it). */
  heap(): Float32Array {
    return this.shared ? arenaHeap() : this.privateHeap;
  }

  /** True when `x` lives in this runtime's memory, so it can be used in place. */
  holds(x: Float32Array): boolean {
    return this.shared && inArena(x);
  }
}

/**
 * The kernel instance, compiled synchronously on first use when `initKernels` was not awaited; null when
 * compilation failed (e.g. a browser main thread refusing synchronous compilation): the TypeScript kernels
 * then take over for good.
 */
export function getRuntime(): WasmRuntime | null {
  if (runtime === undefined && !failed) {
    try {
      const shared = arenaMemory() !== null;
      runtime = new WasmRuntime(
        new WebAssembly.Module(kernelModuleBytes(shared ? MAX_PAGES : undefined, wasmGemmFlavor())),
        shared,
      );
    } catch {
      failed = true;
    }
  }
  return runtime ?? null;
}

/**
 * A zero-filled Float32Array for the math core: inside the WebAssembly arena when the WASM kernels are
 * active and shared memory is available (products on it then run in place), else an ordinary array.
 */
export function allocFloat32(n: number): Float32Array {
  if (n > 0 && activeKernels() === 'wasm') {
    const view = arenaAlloc(n);
    if (view !== null) return view;
  }
  return new Float32Array(n);
}
