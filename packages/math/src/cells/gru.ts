/**
 * The GRU cell in both reset forms (Keras `resetAfter` false and true), forward and backward side by side.
 * Gate blocks z|r|ĥ; `T` steps, `B` batch, `u` units; the buffers are those of `RecurrentWorkspace`.
 */
import { gate, gateGrad } from '../activations';
import type { FloatArray } from '../float-array';
import { gemmNN } from '../gemm';
import { bindGateKernel, kernelColumns, operand } from '../wasm/ops';
import { fuseSteps } from './fused-steps';
import {
  addRecurrentPath,
  addStepGradient,
  afterProductOperands,
  backwardSteps,
  cellKernel,
  copyToInputTime,
  eachRow,
  forwardSteps,
  gateBlocks,
  type RowVisitor,
  recurrentInput,
  stateSlot,
} from './steps';
import type { RecurrentWorkspace } from './workspace';

/**
 * GRU forward, reset before the recurrent product (`resetAfter: false`), every step:
 * z, r = σ(x·W + h_in·U + b), ĥ = tanh(x·W_h + (r ⊙ h_in)·U_h + b_h), h = z ⊙ h_prev + (1 − z) ⊙ ĥ
 * (`takesNew`: 1 − z and z swap).
 * Reads ws.xp [T,B,3u] (by input time), ws.hs[0] [B,u], U [u,3u]; writes ws.hs [T+1,B,u],
 * ws.act [T,B,3u] (z|r|ĥ), ws.aux [T,B,u] (r ⊙ h_in); ws.rec [B,3u] is scratch (z|r, then the ĥ block).
 */
export function gruForwardBefore(ws: RecurrentWorkspace, U: FloatArray, B: number): void {
  const { T, G, slope, takesNew } = ws;
  const u = ws.config.units;
  const hard = slope !== 0;
  const Bu = B * u;
  const { xp, hs, act, aux, rec } = ws;
  const u2 = 2 * u;
  const hinAll = ws.recurrentMask !== null ? ws.hin : hs;
  // The WebAssembly SIMD kernels (sigmoid gates) do the leading multiple-of-4 columns; the loops the rest.
  const [az, ar, ah] = gateBlocks(ws, act, 3, B);
  const [xz, , xh] = gateBlocks(ws, xp, 3, B, 'inputTime');
  const zr = hard ? null : bindGateKernel('sigmoid_of_sum', [az!, xz!, operand(rec, 0, G)], B, u2);
  const rh = cellKernel(
    ws,
    'product',
    [stateSlot(ws, aux, 0, B), ar!, stateSlot(ws, hinAll, 0, B)],
    B,
    !hard,
  );
  const blend = cellKernel(
    ws,
    'tanh_blend',
    [ah!, stateSlot(ws, hs, 1, B), xh!, operand(rec, u2, G), az!, stateSlot(ws, hs, 0, B)],
    B,
    !takesNew,
  );
  const doneZ = Math.min(kernelColumns(zr), u);
  const doneR = Math.max(0, kernelColumns(zr) - u);
  const doneRH = rh.done;
  const doneH = blend.done;
  // act[z|r] = σ(xp + rec)
  const gates: RowVisitor = (xo, ro, ao) => {
    for (let j = doneZ; j < u; j++) act[ao + j] = gate(xp[xo + j]! + rec[ro + j]!, slope);
    for (let j = u + doneR; j < u2; j++) act[ao + j] = gate(xp[xo + j]! + rec[ro + j]!, slope);
  };
  // aux = r ⊙ h_in
  const reset: RowVisitor = (_xo, _ro, ao, ho) => {
    for (let j = doneRH; j < u; j++) aux[ho + j] = act[ao + u + j]! * hinAll[ho + j]!;
  };
  // ĥ = tanh(xp + rec), h = z ⊙ h_prev + (1 − z) ⊙ ĥ
  const state: RowVisitor = (xo, ro, ao, ho) => {
    for (let j = doneH; j < u; j++) {
      const hh = Math.tanh(xp[xo + u2 + j]! + rec[ro + u2 + j]!);
      const z = act[ao + j]!;
      const keep = takesNew ? 1 - z : z;
      act[ao + u2 + j] = hh;
      hs[ho + Bu + j] = keep * hs[ho + j]! + (1 - keep) * hh;
    }
  };
  if (
    kernelColumns(zr) === u2 &&
    doneRH === u &&
    doneH === u &&
    fuseSteps(ws, U, null, B, (r) => {
      // The loop below, one step: the two products and the three kernels (every column).
      const zrOut = operand(rec, 0, G);
      const hin = operand(hs, 0, u, Bu);
      const hOut = operand(rec, u2, G);
      const rh0 = operand(aux, 0, u, Bu);
      if (!r.holds(zrOut, hin, hOut, rh0, operand(U, 0, G))) return false;
      r.product(zrOut, hin, operand(U, 0, G), B, u2, u);
      r.kernel(zr!);
      r.kernel(rh.kernel!);
      r.product(hOut, rh0, operand(U, u2, G), B, u, u);
      r.kernel(blend.kernel!);
      return true;
    })
  )
    return;
  for (let s = 0; s < T; s++) {
    const hOff = s * Bu;
    // rec[:, 0:2u] = h_in · U[:, 0:2u]
    gemmNN(rec, 0, G, recurrentInput(ws, s, B), hOff, u, U, 0, G, B, u2, u, 0);
    zr?.run(s);
    eachRow(ws, s, B, gates);
    rh.kernel?.run(s);
    eachRow(ws, s, B, reset);
    // rec[:, 2u:3u] = (r ⊙ h_in) · U[:, 2u:3u]
    gemmNN(rec, u2, G, aux, hOff, u, U, u2, G, B, u, u, 0);
    blend.kernel?.run(s);
    eachRow(ws, s, B, state);
  }
}

/**
 * GRU backward through time, reset before the recurrent product, after `gruForwardBefore`.
 * Reads ws.dHs [T,B,u], ws.act, ws.aux, ws.hs, ws.ut [3u,u] (Uᵀ); writes ws.dRec [T,B,3u] (by processing
 * step; also ws.dA [T,B,3u] by input time with `goBackwards`) and leaves ws.dh [B,u] = ∂L/∂h_0.
 */
export function gruBackwardBefore(ws: RecurrentWorkspace, B: number): void {
  const { T, G, slope, takesNew } = ws;
  const u = ws.config.units;
  const sign = takesNew ? -1 : 1;
  const hard = slope !== 0;
  const Bu = B * u;
  const u2 = 2 * u;
  const { hs, act, dRec, dh, dhin, dtmp, ut } = ws;
  const hinAll = ws.recurrentMask !== null ? ws.hin : ws.hs;
  // The WebAssembly SIMD kernels (sigmoid gates) do the leading multiple-of-4 columns; the loops the rest.
  const [az, ar, ah] = gateBlocks(ws, act, 3, B);
  const [dz, dr, dhh] = gateBlocks(ws, dRec, 3, B);
  const dhv = operand(dh, 0, u);
  const zh = cellKernel(
    ws,
    'gru_bwd_zh',
    [dhv, dz!, dhh!, dhv, az!, ah!, stateSlot(ws, hs, 0, B)],
    B,
    !hard && !takesNew,
  );
  const reset = cellKernel(
    ws,
    'gru_bwd_r',
    [dr!, operand(dhin, 0, u), operand(dtmp, 0, u), ar!, stateSlot(ws, hinAll, 0, B)],
    B,
    !hard,
  );
  const doneZH = zh.done;
  const doneR = reset.done;
  const updateAndCandidate: RowVisitor = (_xo, _ro, ao, ho, bo) => {
    for (let j = doneZH; j < u; j++) {
      const g = dh[bo + j]!;
      const z = act[ao + j]!;
      const hh = act[ao + u2 + j]!;
      // keep = z (keepsOld) or 1 − z (takesNew): h = keep ⊙ h_prev + (1 − keep) ⊙ ĥ.
      const keep = takesNew ? 1 - z : z;
      const dz = sign * g * (hs[ho + j]! - hh);
      const dah = g * (1 - keep) * (1 - hh * hh);
      dh[bo + j] = g * keep;
      dRec[ao + j] = dz * gateGrad(z, slope);
      dRec[ao + u2 + j] = dah;
    }
  };
  const resetGate: RowVisitor = (_xo, _ro, ao, ho, bo) => {
    for (let j = doneR; j < u; j++) {
      const d = dtmp[bo + j]!;
      const r = act[ao + u + j]!;
      dRec[ao + u + j] = d * hinAll[ho + j]! * gateGrad(r, slope);
      dhin[bo + j] = d * r;
    }
  };
  for (let s = T - 1; s >= 0; s--) {
    addStepGradient(ws, s, Bu);
    zh.kernel?.run(s);
    eachRow(ws, s, B, updateAndCandidate);
    // d(r ⊙ h_in) = daĥ · U_hᵀ
    gemmNN(dtmp, 0, u, dRec, s * B * G + u2, G, ut, u2 * u, u, B, u, u, 0);
    reset.kernel?.run(s);
    eachRow(ws, s, B, resetGate);
    copyToInputTime(ws, s, B);
    // d h_in += da_{z,r} · U_{z,r}ᵀ
    gemmNN(dhin, 0, u, dRec, s * B * G, G, ut, 0, u, B, u, u2, 1);
    addRecurrentPath(ws, Bu);
  }
}

/**
 * GRU forward, reset after the recurrent product (`resetAfter: true`, cuDNN / PyTorch), every step:
 * z, r = σ(x·W + b_x + h_in·U + b_h), ĥ = tanh(x·W_h + b_xh + r ⊙ (h_in·U_h + b_hh)),
 * h = z ⊙ h_prev + (1 − z) ⊙ ĥ (`takesNew`: 1 − z and z swap).
 * Reads ws.xp [T,B,3u], ws.hs[0] [B,u], U [u,3u], bias [2,3u]; writes ws.hs [T+1,B,u], ws.act [T,B,3u]
 * (z|r|ĥ), ws.aux [T,B,u] (h_in·U_h + b_hh); ws.rec [B,3u] is scratch.
 */
export function gruForwardAfter(ws: RecurrentWorkspace, U: FloatArray, bias: FloatArray, B: number): void {
  const { G, slope, takesNew } = ws;
  const u = ws.config.units;
  const Bu = B * u;
  const { xp, hs, act, aux, rec } = ws;
  const u2 = 2 * u;
  // The WebAssembly SIMD kernel (sigmoid gates, keepsOld) does the leading multiple-of-4 columns.
  const { kernel, done } = cellKernel(
    ws,
    'gru_after_fwd',
    afterProductOperands(
      ws,
      B,
      [stateSlot(ws, aux, 0, B), stateSlot(ws, hs, 1, B)],
      [...[0, u, u2].map((k) => operand(bias, G + k, 0)), stateSlot(ws, hs, 0, B)],
    ),
    B,
    slope === 0 && !takesNew,
  );
  const step: RowVisitor = (xo, ro, ao, ho) => {
    for (let j = done; j < u; j++) {
      const z = gate(xp[xo + j]! + rec[ro + j]! + bias[G + j]!, slope);
      const r = gate(xp[xo + u + j]! + rec[ro + u + j]! + bias[G + u + j]!, slope);
      const hr = rec[ro + u2 + j]! + bias[G + u2 + j]!;
      const hh = Math.tanh(xp[xo + u2 + j]! + r * hr);
      act[ao + j] = z;
      act[ao + u + j] = r;
      act[ao + u2 + j] = hh;
      aux[ho + j] = hr;
      const keep = takesNew ? 1 - z : z;
      hs[ho + Bu + j] = keep * hs[ho + j]! + (1 - keep) * hh;
    }
  };
  forwardSteps(ws, U, B, kernel, step, bias);
}

/**
 * GRU backward through time, reset after the recurrent product, after `gruForwardAfter`.
 * Reads ws.dHs [T,B,u], ws.act, ws.aux, ws.hs, ws.ut [3u,u]; writes ws.dA [T,B,3u] (by input time),
 * ws.dRec [T,B,3u] (by processing step; the ĥ block is ∂L/∂(h_in·U_h + b_hh)) and leaves ws.dh = ∂L/∂h_0.
 */
export function gruBackwardAfter(ws: RecurrentWorkspace, B: number): void {
  const { slope, takesNew } = ws;
  const u = ws.config.units;
  const sign = takesNew ? -1 : 1;
  const u2 = 2 * u;
  const { hs, act, aux, dA, dRec, dh } = ws;
  const dhv = operand(dh, 0, u);
  const { kernel, done } = cellKernel(
    ws,
    'gru_after_bwd',
    [
      dhv,
      ...gateBlocks(ws, dA, 3, B, 'inputTime'),
      ...gateBlocks(ws, dRec, 3, B),
      dhv,
      ...gateBlocks(ws, act, 3, B),
      stateSlot(ws, aux, 0, B),
      stateSlot(ws, hs, 0, B),
    ],
    B,
    slope === 0 && !takesNew,
  );
  const step: RowVisitor = (xo, _ro, ao, ho, bo) => {
    for (let j = done; j < u; j++) {
      const g = dh[bo + j]!;
      const z = act[ao + j]!;
      const r = act[ao + u + j]!;
      const hh = act[ao + u2 + j]!;
      const hr = aux[ho + j]!;
      const keep = takesNew ? 1 - z : z;
      const daz = sign * g * (hs[ho + j]! - hh) * gateGrad(z, slope);
      const dah = g * (1 - keep) * (1 - hh * hh);
      const dar = dah * hr * gateGrad(r, slope);
      dh[bo + j] = g * keep;
      dA[xo + j] = daz;
      dA[xo + u + j] = dar;
      dA[xo + u2 + j] = dah;
      dRec[ao + j] = daz;
      dRec[ao + u + j] = dar;
      dRec[ao + u2 + j] = dah * r;
    }
  };
  // dA is written above (its ĥ block is not dRec's).
  backwardSteps(ws, B, kernel, step, false);
}
