/**
 * What every cell does at a step, below the cells so each can use it: which input time a processing step
 * reads, the masked previous state, and the two sums into the running state gradient.
 */
import type { FloatArray } from '../float-array';
import type { RecurrentWorkspace } from './workspace';

/** The input time step `t` processing step `s` reads: `s`, or `T−1−s` with `goBackwards`. */
export function inputTime(ws: RecurrentWorkspace, s: number): number {
  return ws.config.goBackwards ? ws.T - 1 - s : s;
}

/** Masks the previous state of step s into ws.hin (when a recurrent mask is set); returns the buffer to use. */
export function recurrentInput(ws: RecurrentWorkspace, s: number, B: number): FloatArray {
  const rm = ws.recurrentMask;
  if (rm === null) return ws.hs;
  const u = ws.config.units;
  const Bu = B * u;
  const hs = ws.hs;
  const hin = ws.hin;
  const o = s * Bu;
  for (let k = 0; k < Bu; k++) hin[o + k] = hs[o + k]! * rm[k]!;
  return hin;
}

/** dh += dHs[s]: the loss gradient reaching the state after processing step s from the layer above. */
export function addStepGradient(ws: RecurrentWorkspace, s: number, Bu: number): void {
  const dh = ws.dh;
  const dHs = ws.dHs;
  const o = s * Bu;
  for (let k = 0; k < Bu; k++) dh[k]! += dHs[o + k]!;
}

/** dh += dhin ⊙ mask (the recurrent path into the previous state). */
export function addRecurrentPath(ws: RecurrentWorkspace, Bu: number): void {
  const { dh, dhin } = ws;
  const rm = ws.recurrentMask;
  if (rm === null) for (let k = 0; k < Bu; k++) dh[k]! += dhin[k]!;
  else for (let k = 0; k < Bu; k++) dh[k]! += dhin[k]! * rm[k]!;
}
