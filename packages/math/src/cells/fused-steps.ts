/**
 * The forward time loop of a gated cell as one WebAssembly call (`wasm/step-program.ts`): the cell records
 * the kernel calls of one step — its recurrent products and its gate kernels — and `run_steps` replays them
 * for every step, with no JavaScript between steps. The program is kept per workspace and replayed by
 * later passes on the same buffers and weights (`replaySteps`), so a pass binds nothing and allocates
 * nothing: the one-image path. Same kernels, same order, same operands as the step-by-step loop: the same
 * bits.
 *
 * Applies when the WebAssembly kernels run in place (Float32 buffers in the shared arena), no recurrent
 * dropout mask is set and the gate kernels do every column (sigmoid gates; units a multiple of 4 where
 * the kernels leave a tail to TypeScript); otherwise the cells loop step by step as before.
 */
import type { FloatArray } from '../float-array';
import { operand } from '../wasm/ops';
import { activeKernels, getRuntime } from '../wasm/runtime';
import { type StepProgram, StepRecorder } from '../wasm/step-program';
import type { RecurrentParams, RecurrentWorkspace } from './workspace';

/** A recorded program and what it was recorded on: the batch, the weights and the workspace buffers. */
interface Recorded {
  readonly program: StepProgram;
  readonly B: number;
  readonly U: FloatArray;
  /** The bias when the program reads it (GRU with resetAfter: the recurrent bias row), else null. */
  readonly bias: FloatArray | null;
  readonly xp: FloatArray;
  readonly hs: FloatArray;
  readonly cs: FloatArray;
  readonly act: FloatArray;
  readonly aux: FloatArray;
  readonly rec: FloatArray;
}

const recorded = new WeakMap<RecurrentWorkspace, Recorded>();
let enabled = true;

/**
 * Allows (the default) or forbids step programs in this process: forbidden, every cell loops step by
 * step (the tests compare the two; the same bits).
 */
export function setStepPrograms(allowed: boolean): void {
  enabled = allowed;
}

/** Whether a step program was recorded on this workspace (for tests). */
export function hasStepProgram(ws: RecurrentWorkspace): boolean {
  return recorded.has(ws);
}

/**
 * Runs the program recorded on this workspace when it still applies (same batch, weights and buffers, no
 * recurrent mask, the same kernel runtime); returns whether it ran. Call after the input projection and
 * the initial state.
 */
export function replaySteps(ws: RecurrentWorkspace, params: RecurrentParams, B: number): boolean {
  const r = recorded.get(ws);
  if (
    r === undefined ||
    !enabled ||
    r.B !== B ||
    r.U !== params.recurrentKernel ||
    (r.bias !== null && r.bias !== params.bias) ||
    ws.recurrentMask !== null ||
    activeKernels() !== 'wasm' ||
    r.program.rt !== getRuntime() ||
    r.xp !== ws.xp ||
    r.hs !== ws.hs ||
    r.cs !== ws.cs ||
    r.act !== ws.act ||
    r.aux !== ws.aux ||
    r.rec !== ws.rec
  )
    return false;
  r.program.run(ws.T);
  return true;
}

/**
 * Records one step with `record` (which returns false when an operand is not in the kernel memory), keeps
 * the program for `replaySteps` and runs all T steps; returns false, having run nothing, when the program
 * path does not apply. `bias`: the bias buffer when the program reads it.
 */
export function fuseSteps(
  ws: RecurrentWorkspace,
  U: FloatArray,
  bias: FloatArray | null,
  B: number,
  record: (r: StepRecorder) => boolean,
): boolean {
  if (!enabled || ws.recurrentMask !== null) return false;
  const recorder = StepRecorder.create();
  if (recorder === null || !record(recorder)) return false;
  const program = recorder.seal();
  if (program === null) return false;
  const { xp, hs, cs, act, aux, rec } = ws;
  recorded.set(ws, { program, B, U, bias, xp, hs, cs, act, aux, rec });
  program.run(ws.T);
  return true;
}

/** Records rec [B,G] = h_{s} · U, the recurrent product of step s on the unmasked state. */
export function recordRecurrentProduct(
  r: StepRecorder,
  ws: RecurrentWorkspace,
  U: FloatArray,
  B: number,
): boolean {
  const { G } = ws;
  const u = ws.config.units;
  const c = operand(ws.rec, 0, G);
  const h = operand(ws.hs, 0, u, B * u);
  const w = operand(U, 0, G);
  if (!r.holds(c, h, w)) return false;
  r.product(c, h, w, B, G, u);
  return true;
}
