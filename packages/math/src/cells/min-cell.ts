import type { FloatArray } from '../float-array';
import type { GateKernelName } from '../wasm/gate-module';
import { bindGateKernel, kernelColumns, operand, type StepOperand } from '../wasm/ops';
import { eachRow, gateBlocks, type RowVisitor, stateSlot } from './steps';
import type { RecurrentWorkspace } from './workspace';

/**
 * What differs between the minimal cells (`min-gru.ts`, `min-lstm.ts`): the element-wise maps between
 * pre-activations, gates and the coefficients of the linear recurrence h_s = a_s ⊙ h_{s−1} + b_s, as
 * WebAssembly SIMD kernels (`wasm/gate-module.ts`) and as TypeScript for one element. The loops that
 * apply them are shared (below): the kernels do the leading multiple-of-4 units, the TypeScript the
 * rest (or everything, on the TypeScript kernels and in Float64). In every method `x` indexes the first
 * gate block of one element in xp / dA, `o` the same in act; block k is at `+ k·u`.
 */
export interface MinCellEquations {
  /** Gate blocks per unit (G = gates·u). */
  readonly gates: number;
  /** The kernels of `forward`, `gateGrads` and `coefficient`, same operands in the same order. */
  readonly kernels: {
    readonly forward: GateKernelName;
    readonly gateGrads: GateKernelName;
    readonly coefficient: GateKernelName;
  };
  /** Writes the gates of one element into act from the pre-activations xp; sets `ab.a`, `ab.b`. */
  forward(
    xp: FloatArray,
    x: number,
    act: FloatArray,
    o: number,
    u: number,
    ab: { a: number; b: number },
  ): void;
  /** The coefficient a of one element from its gates. */
  coefficient(act: FloatArray, o: number, u: number): number;
  /** Pre-activation gradients of one element into dA, from gs = ∂L/∂h_s and the previous state hPrev. */
  gateGrads(
    dA: FloatArray,
    x: number,
    act: FloatArray,
    o: number,
    u: number,
    gs: number,
    hPrev: number,
  ): void;
}

/**
 * Runs kernel `name` over every step with operands bound for step s (`steps.ts`): one call of T·B rows
 * when each step's rows follow the previous step's in every operand (processing forwards: xp and dA are
 * then by processing step too), else one call of B rows per step. Then visits
 * every element the kernel did not do: `visit(x, o, n)` with x its index in xp / dA (input time), o in
 * act and n in a [T, B·u] buffer (processing step).
 */
function everyStep(
  ws: RecurrentWorkspace,
  name: GateKernelName,
  operands: readonly StepOperand[],
  B: number,
  visit: (x: number, o: number, n: number) => void,
): void {
  const { T } = ws;
  const u = ws.config.units;
  const perStep = ws.config.goBackwards;
  const kernel = bindGateKernel(name, operands, perStep ? B : T * B, u);
  if (kernel !== null) {
    if (perStep) for (let s = 0; s < T; s++) kernel.run(s);
    else kernel.run(0);
  }
  const from = kernelColumns(kernel);
  if (from === u) return;
  const row: RowVisitor = (xo, _ro, ao, ho) => {
    for (let j = from; j < u; j++) visit(xo + j, ao + j, ho + j);
  };
  for (let s = 0; s < T; s++) eachRow(ws, s, B, row);
}

/** The gates of every step from xp: act, the coefficients a (ws.aux, [T,B·u]) and b (ws.hs slots 1…T). */
export function minCellGates(cell: MinCellEquations, ws: RecurrentWorkspace, B: number): void {
  const { act, aux, hs, xp } = ws;
  const u = ws.config.units;
  const N = B * u;
  const ab = { a: 0, b: 0 };
  const operands = [
    ...gateBlocks(ws, act, cell.gates, B),
    stateSlot(ws, aux, 0, B),
    stateSlot(ws, hs, 1, B),
    ...gateBlocks(ws, xp, cell.gates, B, 'inputTime'),
  ];
  everyStep(ws, cell.kernels.forward, operands, B, (x, o, n) => {
    cell.forward(xp, x, act, o, u, ab);
    aux[n] = ab.a;
    hs[n + N] = ab.b;
  });
}

/**
 * The coefficients a of steps s0 … s1−1 from act into `out`, step s at `off + (s − s0)·B·u` (the parallel
 * scan overwrote the forward's). Processing forwards or not, act is by processing step: one call. The
 * coefficient kernels read every gate block but the last (the candidate).
 */
export function minCellCoefficients(
  cell: MinCellEquations,
  ws: RecurrentWorkspace,
  out: FloatArray,
  off: number,
  s0: number,
  s1: number,
  B: number,
): void {
  const { act, G } = ws;
  const u = ws.config.units;
  const rows = (s1 - s0) * B;
  const blocks = Array.from({ length: cell.gates - 1 }, (_, k) => operand(act, s0 * B * G + k * u, G));
  const kernel = bindGateKernel(cell.kernels.coefficient, [operand(out, off, u), ...blocks], rows, u);
  kernel?.run();
  const from = kernelColumns(kernel);
  for (let r = 0; r < rows; r++) {
    const o = (s0 * B + r) * G;
    for (let j = from; j < u; j++) out[off + r * u + j] = cell.coefficient(act, o + j, u);
  }
}

/**
 * Pre-activation gradients of every step into dA (by input time) from g = ∂L/∂h_s (total, [T, B·u]) and
 * the previous states (ws.hs slots 0 … T−1).
 */
export function minCellGateGrads(
  cell: MinCellEquations,
  ws: RecurrentWorkspace,
  g: FloatArray,
  B: number,
): void {
  const { act, dA, hs } = ws;
  const u = ws.config.units;
  const operands = [
    ...gateBlocks(ws, dA, cell.gates, B, 'inputTime'),
    stateSlot(ws, g, 0, B),
    stateSlot(ws, hs, 0, B),
    ...gateBlocks(ws, act, cell.gates, B),
  ];
  everyStep(ws, cell.kernels.gateGrads, operands, B, (x, o, n) => {
    cell.gateGrads(dA, x, act, o, u, g[n]!, hs[n]!);
  });
}
