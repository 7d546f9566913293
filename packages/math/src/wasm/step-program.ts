/**
 * Step programs (`step-module.ts`): the cells record the kernel calls of one time step — the recurrent
 * products and the gate kernels — once, and `run_steps` replays them for every step in one WebAssembly
 * call. The program calls the same kernels in the same order on the same operands as the step-by-step
 * loop, so it gives the same bits.
 */
import { WASM_KC_N } from '../gemm';
import { arenaAlloc } from './arena';
import type { GateKernel, StepOperand } from './ops';
import { getRuntime, type WasmRuntime } from './runtime';

/**
 * Records the kernel calls of one time step (`product`, `kernel`), then `seal()` copies them into the
 * kernel memory as a `StepProgram`.
 */
export class StepRecorder {
  private readonly words: number[] = [];

  private constructor(private readonly rt: WasmRuntime) {}

  /** A recorder on the kernel runtime, or null without one or without the shared arena to run in place. */
  static create(): StepRecorder | null {
    const rt = getRuntime();
    return rt === null || !rt.shared ? null : new StepRecorder(rt);
  }

  /** True when every operand is a Float32 buffer in the kernel memory (its byte offset is a pointer). */
  holds(...operands: readonly StepOperand[]): boolean {
    return operands.every((v) => v.data instanceof Float32Array && this.rt.holds(v.data));
  }

  private call(name: string, args: readonly (readonly [number, number])[]): void {
    this.words.push(this.rt.functionIndex.get(name)!);
    for (const [base, delta] of args) this.words.push(base, delta);
  }

  /**
   * C[M,N] = A[M,K]·B[K,N] at every step, each operand (buffer, element offset, leading dimension, step in
   * elements); the same row panels and K blocks as `gemmNN` (M, N, K ≥ 1, A's rows contiguous).
   */
  product(c: StepOperand, a: StepOperand, b: StepOperand, M: number, N: number, K: number): void {
    const at = (v: StepOperand, k: number): [number, number] => [
      v.data.byteOffset + 4 * (v.off + k),
      4 * (v.step ?? 0),
    ];
    // gemm.ts's K blocks for A's rows contiguous, so the bits agree.
    for (let k0 = 0; k0 < K; k0 += WASM_KC_N) {
      this.call('gemm_rows', [
        at(c, 0),
        [4 * c.ld, 0],
        at(a, k0),
        [4 * a.ld, 0],
        at(b, k0 * b.ld),
        [4 * b.ld, 0],
        [M, 0],
        [N, 0],
        [Math.min(WASM_KC_N, K - k0), 0],
        [k0 === 0 ? 0 : 1, 0],
      ]);
    }
  }

  /** The bound gate kernel's call at every step (its step-s operands, as `GateKernel.run(s)`). */
  kernel(kernel: GateKernel): void {
    this.call(kernel.name, kernel.stepArgs());
  }

  /** The program in the kernel memory, or null when the arena cannot hold it. */
  seal(): StepProgram | null {
    const words = [...this.words, -1];
    const memory = arenaAlloc(words.length);
    if (memory === null) return null;
    new Int32Array(memory.buffer, memory.byteOffset, words.length).set(words);
    return new StepProgram(this.rt, memory);
  }
}

/** A sealed step program: `run(T)` runs steps 0 … T−1 in one call, allocating nothing. */
export class StepProgram {
  constructor(
    readonly rt: WasmRuntime,
    /** The program's words (kept reachable: the arena frees a block when its view is collected). */
    private readonly memory: Float32Array,
  ) {}

  run(T: number): void {
    this.rt.runSteps(this.memory.byteOffset, T);
  }
}
