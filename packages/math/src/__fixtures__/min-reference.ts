// Float64 minGRU / minLSTM written straight from the equations of Feng et al. 2024 (one step after the
// other, no scan), for the tests. x [B,T,I] batch-major; kernel [I,G], bias [G]; returns h [B,T,u].

const sigmoid = (v: number): number => 1 / (1 + Math.exp(-v));
/** The paper's g: x + 0.5 for x ≥ 0, σ(x) below. */
const g = (v: number): number => (v >= 0 ? v + 0.5 : sigmoid(v));

export function minCellReference(
  cell: 'mingru' | 'minlstm',
  x: ArrayLike<number>,
  B: number,
  T: number,
  I: number,
  u: number,
  w: { kernel: ArrayLike<number>; bias: ArrayLike<number> },
  h0?: ArrayLike<number>,
): Float64Array {
  const G = (cell === 'mingru' ? 2 : 3) * u;
  const out = new Float64Array(B * T * u);
  for (let b = 0; b < B; b++) {
    const h = Float64Array.from({ length: u }, (_, j) => (h0 ? h0[b * u + j]! : 0));
    for (let t = 0; t < T; t++) {
      const pre = new Float64Array(G);
      for (let c = 0; c < G; c++) {
        let s = w.bias[c]!;
        for (let i = 0; i < I; i++) s += x[(b * T + t) * I + i]! * w.kernel[i * G + c]!;
        pre[c] = s;
      }
      for (let j = 0; j < u; j++) {
        if (cell === 'mingru') {
          const z = sigmoid(pre[j]!);
          h[j] = (1 - z) * h[j]! + z * g(pre[u + j]!);
        } else {
          const ig = sigmoid(pre[j]!);
          const fg = sigmoid(pre[u + j]!);
          h[j] = (fg / (fg + ig)) * h[j]! + (ig / (fg + ig)) * g(pre[2 * u + j]!);
        }
        out[(b * T + t) * u + j] = h[j]!;
      }
    }
  }
  return out;
}
