// A GRU written literally from its equations, in Float64, for tests: no workspace, no GEMM, no
// shared code with the cells it checks.

/** Options of {@link literalGru}. */
export interface LiteralGruOptions {
  readonly resetAfter: boolean;
  /** The gate activation, e.g. `(a) => Math.max(0, Math.min(1, a / 6 + 0.5))`. */
  readonly gate: (a: number) => number;
  /** `'keepsOld'`: h = z⊙h_prev + (1−z)⊙ĥ (Keras); `'takesNew'`: h = (1−z)⊙h_prev + z⊙ĥ (the founding text). */
  readonly updateGate?: 'keepsOld' | 'takesNew';
  /** Per-sample multiplier of the state where it enters the recurrent products `[B,u]` (recurrent dropout). */
  readonly recurrentMask?: ArrayLike<number>;
  /** Per-sample multiplier of the inputs `[B,I]` (input dropout). */
  readonly inputMask?: ArrayLike<number>;
}

/**
 * x `[B,T,I]` batch-major; kernel `[I,3u]`, recurrentKernel `[u,3u]`, bias `[3u]` or `[2,3u]`, blocks z|r|h.
 * Returns every state `[B,T,u]`.
 */
export function literalGru(
  x: ArrayLike<number>,
  B: number,
  T: number,
  I: number,
  u: number,
  w: { kernel: ArrayLike<number>; recurrentKernel: ArrayLike<number>; bias: ArrayLike<number> },
  o: LiteralGruOptions,
): Float64Array {
  const G = 3 * u;
  const out = new Float64Array(B * T * u);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(u);
    for (let t = 0; t < T; t++) {
      const xin = (i: number): number =>
        x[(b * T + t) * I + i]! * (o.inputMask ? o.inputMask[b * I + i]! : 1);
      const hin = (k: number): number => h[k]! * (o.recurrentMask ? o.recurrentMask[b * u + k]! : 1);
      const inProj = (col: number): number => {
        let s = w.bias[col]!;
        for (let i = 0; i < I; i++) s += xin(i) * w.kernel[i * G + col]!;
        return s;
      };
      const recProj = (col: number, state: (k: number) => number): number => {
        let s = o.resetAfter ? w.bias[G + col]! : 0;
        for (let k = 0; k < u; k++) s += state(k) * w.recurrentKernel[k * G + col]!;
        return s;
      };
      const r = Array.from({ length: u }, (_, j) => o.gate(inProj(u + j) + recProj(u + j, hin)));
      const next = new Float64Array(u);
      for (let j = 0; j < u; j++) {
        const z = o.gate(inProj(j) + recProj(j, hin));
        const cand = o.resetAfter
          ? Math.tanh(inProj(2 * u + j) + r[j]! * recProj(2 * u + j, hin))
          : Math.tanh(inProj(2 * u + j) + recProj(2 * u + j, (k) => r[k]! * hin(k)));
        next[j] = o.updateGate === 'takesNew' ? (1 - z) * h[j]! + z * cand : z * h[j]! + (1 - z) * cand;
      }
      h = next;
      out.set(h, (b * T + t) * u);
    }
  }
  return out;
}
