// Helpers shared by the test files (not exported from the package).
import type { ModelSpec, NamedWeight } from '@gruvision/math';
import { Rng, weightLayout } from '@gruvision/math';

/** Both backends that run in Node without tfjs-node; every tfjs suite runs on each. */
export const testBackends = ['cpu', 'wasm'] as const;

/** Deterministic weights in the canonical layout, uniform in [-scale, scale). */
export function randomWeights(spec: ModelSpec, seed: number, scale = 0.5): NamedWeight[] {
  const rng = new Rng(seed);
  return weightLayout(spec).entries.map((e) => ({
    name: e.name,
    shape: [...e.shape],
    values: Float32Array.from({ length: e.size }, () => rng.uniform(-scale, scale)),
  }));
}

/** Deterministic inputs `[n]`, uniform in [-1, 1). */
export function randomInputs(n: number, seed: number): Float32Array {
  const rng = new Rng(seed);
  return Float32Array.from({ length: n }, () => rng.uniform(-1, 1));
}

/** Largest absolute difference of two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`length ${a.length} !== ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));
const hardSigmoid = (x: number): number => Math.min(1, Math.max(0, 0.2 * x + 0.5));

/**
 * Float64 reference of one GRU layer written straight from DESIGN.md (not from any engine):
 * `x [B,T,I]` → hidden states `[B,T,u]`. Gate blocks z | r | h.
 */
export function referenceGru(
  x: ArrayLike<number>,
  dims: { B: number; T: number; I: number; u: number },
  w: { kernel: ArrayLike<number>; recurrentKernel: ArrayLike<number>; bias: ArrayLike<number> },
  options: { resetAfter: boolean; hard?: boolean },
): Float64Array {
  const { B, T, I, u } = dims;
  const g = 3 * u;
  const act = options.hard ? hardSigmoid : sigmoid;
  const out = new Float64Array(B * T * u);
  for (let b = 0; b < B; b++) {
    let h = new Float64Array(u);
    for (let t = 0; t < T; t++) {
      const xw = new Float64Array(g);
      const hu = new Float64Array(g);
      for (let j = 0; j < g; j++) {
        let s = options.resetAfter ? w.bias[j]! : w.bias[j]!;
        for (let i = 0; i < I; i++) s += x[(b * T + t) * I + i]! * w.kernel[i * g + j]!;
        xw[j] = s;
        let r = options.resetAfter ? w.bias[g + j]! : 0;
        for (let k = 0; k < u; k++) r += h[k]! * w.recurrentKernel[k * g + j]!;
        hu[j] = r;
      }
      const next = new Float64Array(u);
      const z = new Float64Array(u);
      const rg = new Float64Array(u);
      for (let k = 0; k < u; k++) {
        z[k] = act(xw[k]! + hu[k]!);
        rg[k] = act(xw[u + k]! + hu[u + k]!);
      }
      for (let k = 0; k < u; k++) {
        let cand: number;
        if (options.resetAfter) cand = Math.tanh(xw[2 * u + k]! + rg[k]! * hu[2 * u + k]!);
        else {
          let s = xw[2 * u + k]!;
          for (let m = 0; m < u; m++) s += rg[m]! * h[m]! * w.recurrentKernel[m * g + 2 * u + k]!;
          cand = Math.tanh(s);
        }
        next[k] = z[k]! * h[k]! + (1 - z[k]!) * cand;
      }
      h = next;
      out.set(h, (b * T + t) * u);
    }
  }
  return out;
}
