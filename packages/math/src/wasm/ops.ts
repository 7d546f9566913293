/**
 * The typed entry points of the WebAssembly element-wise gate kernels (the GEMM's is in `../gemm.ts`). Each
 * runs on the module `runtime.ts` compiled and returns false (or 0 columns done) when it cannot, so the
 * caller runs its own TypeScript loop.
 */
import type { FloatArray } from '../float-array';
import type { GateKernelName, MapKernel } from './gate-module';
import { activeKernels, getRuntime } from './runtime';

/**
 * One operand of a gate kernel over a time loop: element (i, j) at step s is
 * `data[off + s·step + i·ld + j]` (`step` 0 or absent: the same rows at every step; negative: walking
 * back in time).
 */
export interface StepOperand {
  readonly data: FloatArray;
  readonly off: number;
  readonly ld: number;
  readonly step?: number;
}

/** An operand read from `data` at element `off`, rows `ld` apart, `step` elements further per step. */
export function operand(data: FloatArray, off: number, ld: number, step = 0): StepOperand {
  return { data, off, ld, step };
}

/**
 * A WebAssembly gate kernel (`gate-module.ts`) bound once to its operands for a whole pass: `run(s)`
 * computes step s over `rows` rows and the leading `cols4` columns (a multiple of 4), allocating nothing.
 * The caller's TypeScript loop does the columns from `cols4` on.
 */
export class GateKernel {
  private readonly args: number[];
  private readonly base: number[];
  private readonly step: number[];

  constructor(
    readonly name: GateKernelName,
    private readonly fn: MapKernel,
    operands: readonly StepOperand[],
    rows: number,
    readonly cols4: number,
  ) {
    this.base = operands.map((v) => v.data.byteOffset + v.off * 4);
    this.step = operands.map((v) => (v.step ?? 0) * 4);
    this.args = operands.flatMap((v) => [0, v.ld * 4]);
    this.args.push(rows, cols4);
  }

  /** Runs the kernel on the operands of step `s`. */
  run(s = 0): void {
    const { args, base, step } = this;
    for (let k = 0; k < base.length; k++) args[2 * k] = base[k]! + s * step[k]!;
    Reflect.apply(this.fn, undefined, args);
  }

  /** Its arguments as (value at step 0, change per step) pairs, in call order (for `StepRecorder`). */
  stepArgs(): [number, number][] {
    const { args, base, step } = this;
    return args.map((value, i): [number, number] =>
      i < 2 * base.length && i % 2 === 0 ? [base[i / 2]!, step[i / 2]!] : [value, 0],
    );
  }
}

/**
 * Binds the gate kernel `name` to its operands (outputs first, then inputs, in the order of its
 * signature in `gate-module.ts`) for `rows` rows of `cols` columns. Returns null unless the WASM kernels
 * are active, cols ≥ 4 and every operand is a Float32 buffer in the arena: the caller then runs its own
 * TypeScript loop over all columns.
 */
export function bindGateKernel(
  name: GateKernelName,
  operands: readonly StepOperand[],
  rows: number,
  cols: number,
): GateKernel | null {
  if (rows < 1 || cols < 4 || activeKernels() !== 'wasm') return null;
  for (const v of operands) if (!(v.data instanceof Float32Array)) return null;
  const rt = getRuntime();
  if (rt === null) return null;
  for (const v of operands) if (!rt.holds(v.data as Float32Array)) return null;
  return new GateKernel(name, rt.gates[name], operands, rows, cols & ~3);
}

/** The columns a bound kernel does (0 without one): where the caller's TypeScript loop starts. */
export function kernelColumns(kernel: GateKernel | null): number {
  return kernel === null ? 0 : kernel.cols4;
}
