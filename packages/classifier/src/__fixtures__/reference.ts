import type { ModelSpec, NamedWeight } from '@gruvision/math';
import { Rng, resolveLayers, weightLayout } from '@gruvision/math';

/** Random weights in the canonical layout, uniform in ±scale, for tests. */
export function randomWeights(spec: ModelSpec, seed: number, scale = 0.5): NamedWeight[] {
  const rng = new Rng(seed);
  return weightLayout(spec).entries.map((e) => ({
    name: e.name,
    shape: e.shape,
    values: Float32Array.from({ length: e.size }, () => rng.uniform(-scale, scale)),
  }));
}

const sigmoid = (v: number) => 1 / (1 + Math.exp(-v));
const hardSigmoid = (v: number) => Math.min(1, Math.max(0, 0.2 * v + 0.5));
const hardSigmoidKeras3 = (v: number) => Math.min(1, Math.max(0, v / 6 + 0.5));

/**
 * A plain Float64 forward pass of a single-direction GRU stack (resetAfter false or true) and the
 * softmax head, written straight from the equations in docs/ARCHITECTURE.md ("The GRU, written down
 * once"); independent of every engine.
 * `x: [T, F]` → probabilities `[classes]`.
 */
export function referenceGruPredict(
  spec: ModelSpec,
  weights: readonly NamedWeight[],
  x: Float32Array,
): number[] {
  const w = new Map(weights.map((v) => [v.name, v.values]));
  let seq: number[][] = Array.from({ length: spec.timeSteps }, (_, t) =>
    Array.from(x.subarray(t * spec.features, (t + 1) * spec.features)),
  );
  for (const layer of resolveLayers(spec)) {
    const names = layer.directions[0]!;
    const K = w.get(names.kernel)!;
    const U = w.get(names.recurrentKernel)!;
    const b = w.get(names.bias)!;
    const u = layer.units;
    const I = layer.inputSize;
    const g = 3 * u;
    const gate =
      layer.recurrentActivation === 'hardSigmoid'
        ? hardSigmoid
        : layer.recurrentActivation === 'hardSigmoidKeras3'
          ? hardSigmoidKeras3
          : sigmoid;
    let h = new Array<number>(u).fill(0);
    const out: number[][] = [];
    for (let t = 0; t < spec.timeSteps; t++) {
      const xt = seq[t]!;
      const xw = new Array<number>(g).fill(0);
      const hu = new Array<number>(g).fill(0);
      for (let j = 0; j < g; j++) {
        let s = b[j]!;
        for (let i = 0; i < I; i++) s += xt[i]! * K[i * g + j]!;
        xw[j] = s;
        let r = layer.resetAfter ? b[g + j]! : 0;
        for (let i = 0; i < u; i++) r += h[i]! * U[i * g + j]!;
        hu[j] = r;
      }
      const z = Array.from({ length: u }, (_, j) => gate(xw[j]! + hu[j]!));
      const r = Array.from({ length: u }, (_, j) => gate(xw[u + j]! + hu[u + j]!));
      const cand = Array.from({ length: u }, (_, j) => {
        if (layer.resetAfter) return Math.tanh(xw[2 * u + j]! + r[j]! * hu[2 * u + j]!);
        let s = 0;
        for (let i = 0; i < u; i++) s += r[i]! * h[i]! * U[i * g + 2 * u + j]!;
        return Math.tanh(xw[2 * u + j]! + s);
      });
      h = h.map((hv, j) => z[j]! * hv + (1 - z[j]!) * cand[j]!);
      out.push(h.slice());
    }
    seq = layer.returnSequences ? out : [h];
  }
  const last = seq[seq.length - 1]!;
  const Wd = w.get('dense/kernel')!;
  const bd = w.get('dense/bias')!;
  const logits = Array.from({ length: spec.classes }, (_, c) => {
    let s = bd[c]!;
    for (let i = 0; i < last.length; i++) s += last[i]! * Wd[i * spec.classes + c]!;
    return s;
  });
  const m = Math.max(...logits);
  const e = logits.map((l) => Math.exp(l - m));
  const sum = e.reduce((a, v) => a + v, 0);
  return e.map((v) => v / sum);
}
