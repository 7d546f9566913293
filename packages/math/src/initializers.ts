import type { NamedWeight, NamedWeights } from './engine/contract';
import type { FloatArray } from './float-array';
import { Rng } from './rng';
import { DENSE_LAYER_NAME, type ModelSpec, resolveLayers, weightLayout } from './spec';

/**
 * Glorot (Xavier) uniform, Keras' default kernel initializer: U(−l, l) with l = √(6 / (fanIn + fanOut)).
 * out: [fanIn, fanOut]
 */
export function glorotUniform(out: FloatArray, fanIn: number, fanOut: number, rng: Rng): void {
  const limit = Math.sqrt(6 / (fanIn + fanOut));
  for (let i = 0; i < out.length; i++) out[i] = rng.uniform(-limit, limit);
}

/**
 * Glorot normal as Keras draws it: a normal truncated at two standard deviations, with
 * σ = √(2 / (fanIn + fanOut)) / 0.87962566103423978 (the truncation's variance correction).
 * out: [fanIn, fanOut]
 */
export function glorotNormal(out: FloatArray, fanIn: number, fanOut: number, rng: Rng): void {
  const stddev = Math.sqrt(2 / (fanIn + fanOut)) / 0.87962566103423978;
  for (let i = 0; i < out.length; i++) {
    let z = rng.normal();
    while (z < -2 || z > 2) z = rng.normal();
    out[i] = stddev * z;
  }
}

/** Σ_j q[a + j]·q[b + j] with four independent accumulators. */
function dotRows(q: Float64Array, a: number, b: number, len: number): number {
  let s0 = 0;
  let s1 = 0;
  let s2 = 0;
  let s3 = 0;
  let j = 0;
  for (; j + 4 <= len; j += 4) {
    s0 += q[a + j]! * q[b + j]!;
    s1 += q[a + j + 1]! * q[b + j + 1]!;
    s2 += q[a + j + 2]! * q[b + j + 2]!;
    s3 += q[a + j + 3]! * q[b + j + 3]!;
  }
  for (; j < len; j++) s0 += q[a + j]! * q[b + j]!;
  return s0 + s1 + s2 + s3;
}

/**
 * Orthogonal initializer (Keras `Orthogonal`, gain 1): a random Gaussian matrix orthonormalized with
 * modified Gram–Schmidt (a Gaussian matrix is well conditioned, so one pass is orthogonal to rounding
 * level, as the tests check). For `rows ≤ cols` the rows
 * come out orthonormal (W·Wᵀ = I, the GRU recurrent kernel `[u, 3u]` case), otherwise the columns.
 * A 128×384 matrix takes a few milliseconds.
 * out: [rows, cols]
 */
export function orthogonal(out: FloatArray, rows: number, cols: number, rng: Rng, gain = 1): void {
  const n = Math.min(rows, cols); // number of orthonormal vectors
  const len = Math.max(rows, cols); // their length
  const q = new Float64Array(n * len);
  for (let i = 0; i < q.length; i++) q[i] = rng.normal();
  for (let i = 0; i < n; i++) {
    const oi = i * len;
    for (let k = 0; k < i; k++) {
      const ok = k * len;
      const dot = dotRows(q, oi, ok, len);
      for (let j = 0; j < len; j++) q[oi + j]! -= dot * q[ok + j]!;
    }
    const inv = 1 / Math.sqrt(dotRows(q, oi, oi, len));
    for (let j = 0; j < len; j++) q[oi + j]! *= inv;
  }
  if (rows <= cols) {
    for (let i = 0; i < rows * cols; i++) out[i] = gain * q[i]!;
  } else {
    // q holds `cols` vectors of length `rows`: they are the columns of out.
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) out[i * cols + j] = gain * q[j * rows + i]!;
  }
}

/** Zeros initializer (Keras `zeros`, the default for biases). */
export function zeros(out: FloatArray): void {
  out.fill(0);
}

/**
 * The initial weights of a model, in canonical names, shapes and order (`weightLayout(spec)`), with
 * Keras' defaults: kernels glorotUniform, recurrent kernels orthogonal, biases zeros, LSTM forget-gate
 * bias 1 (`unitForgetBias`, default true), dense kernel glorotUniform and bias zeros. Tensors are drawn
 * in layout order from one `Rng(seed)`, so every engine that calls this gets identical weights.
 */
export function initializeWeights(spec: ModelSpec, seed: number): NamedWeights {
  const rng = new Rng(seed);
  const layers = resolveLayers(spec);
  const byName = new Map<
    string,
    { kind: 'kernel' | 'recurrent' | 'bias'; units: number; lstmForget: boolean }
  >();
  for (const layer of layers) {
    for (const dir of layer.directions) {
      byName.set(dir.kernel, { kind: 'kernel', units: layer.units, lstmForget: false });
      byName.set(dir.recurrentKernel, { kind: 'recurrent', units: layer.units, lstmForget: false });
      byName.set(dir.bias, {
        kind: 'bias',
        units: layer.units,
        lstmForget: layer.cell === 'lstm' && layer.unitForgetBias,
      });
    }
  }
  byName.set(`${DENSE_LAYER_NAME}/kernel`, { kind: 'kernel', units: 0, lstmForget: false });
  byName.set(`${DENSE_LAYER_NAME}/bias`, { kind: 'bias', units: 0, lstmForget: false });
  return weightLayout(spec).entries.map((entry): NamedWeight => {
    const values = new Float32Array(entry.size);
    const role = byName.get(entry.name)!;
    const [rows, cols] = entry.shape as [number, number];
    if (role.kind === 'kernel') glorotUniform(values, rows, cols, rng);
    else if (role.kind === 'recurrent') orthogonal(values, rows, cols, rng);
    else if (role.lstmForget) values.fill(1, role.units, 2 * role.units);
    return { name: entry.name, shape: [...entry.shape], values };
  });
}
