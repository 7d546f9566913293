import type { FloatArray } from './float-array';
import { ReplayRng, type Shard, shardUniforms } from './parallel/shards';

/**
 * Every training batch of the math engine is split into this many contiguous shards (sizes differ by
 * at most one), whatever the number of threads; each shard's mean gradient is computed on its own and
 * the shard gradients are summed in shard order. So 1, 2 or 4 threads (and `mathEngine`) give
 * bit-identical weights: the thread count only decides which thread computes which shard.
 */
export const REDUCTION_SHARDS = 4;

/**
 * What a math-engine training run's weights depend on, bit for bit (stored in artifacts): the spec,
 * the seed, the network options, the batches (data, order, size), and the Float32 kernels in use
 * (`kernels`: WebAssembly SIMD or TypeScript, whose exp/tanh round differently) — not the thread count.
 */
export function mathBitsDependOn(kernels: string): string {
  return (
    `math engine, ${REDUCTION_SHARDS} fixed gradient shards summed in shard order: the bits depend on the spec, seed, ` +
    `optimizer options, the batches (data, order, batch size) and the Float32 kernels (${kernels}); ` +
    'not on the thread count'
  );
}

/**
 * What `shardGradient` needs of a `NetworkCore` (network.ts). Declared here, not imported, because
 * network.ts imports this file (no import circle).
 */
export interface ShardCore {
  readonly spec: { readonly timeSteps: number; readonly features: number };
  sampleDropoutMasks(rng: ReplayRng, batch: number): void;
  computeGradients(
    x: Float32Array,
    labels: Int32Array,
    batch: number,
    options: { training: boolean; labelSmoothing: number; l2: number; weights?: ArrayLike<number> | null },
  ): { loss: number; correct: number };
}

/** The loss, correct count and gradient (left in `core.grads`) of one shard of a training batch. */
export interface ShardResult {
  readonly loss: number;
  readonly correct: number;
}

/**
 * Computes the mean gradient of one shard of a training batch into `core.grads` (no L2, no clipping),
 * with that shard's rows of the whole-batch dropout masks when `uniforms` (see `drawDropoutUniforms`)
 * are given. `x` `[batch,T,F]`, `y` `[batch]` and the per-sample loss `weights` `[batch]` (or null)
 * hold the whole batch. A shard's loss is Σ wᵢ·lossᵢ / shard size, so `combineShards` gives
 * Σ wᵢ·lossᵢ / batch.
 */
export function shardGradient(
  core: ShardCore,
  x: Float32Array,
  y: Int32Array,
  batch: number,
  shard: Shard,
  uniforms: Float64Array | null,
  widths: readonly number[],
  labelSmoothing: number,
  weights: Float32Array | null = null,
): ShardResult {
  const sample = core.spec.timeSteps * core.spec.features;
  const { start, size } = shard;
  if (uniforms !== null) {
    core.sampleDropoutMasks(new ReplayRng(shardUniforms(uniforms, widths, batch, shard)), size);
  }
  const result = core.computeGradients(
    x.subarray(start * sample, (start + size) * sample),
    y.subarray(start, start + size),
    size,
    {
      training: true,
      labelSmoothing,
      l2: 0,
      weights: weights === null ? null : weights.subarray(start, start + size),
    },
  );
  return { loss: result.loss, correct: result.correct };
}

/**
 * `out ← Σ_k weight_k · grads_k`, summed per element in float64 in the order given, then rounded once.
 * With one shard of weight 1 this copies the gradient exactly.
 */
export function reduceGradients(
  out: FloatArray,
  shards: readonly { readonly weight: number; readonly grads: Float32Array }[],
): void {
  const n = out.length;
  if (shards.length === 0) {
    out.fill(0);
    return;
  }
  const first = shards[0]!;
  if (shards.length === 1) {
    const w = first.weight;
    const g = first.grads;
    for (let i = 0; i < n; i++) out[i] = w * g[i]!;
    return;
  }
  for (let i = 0; i < n; i++) {
    let s = first.weight * first.grads[i]!;
    for (let k = 1; k < shards.length; k++) s += shards[k]!.weight * shards[k]!.grads[i]!;
    out[i] = s;
  }
}

/**
 * Combines per-shard results in shard order: `out` gets Σ_k (n_k / batch)·g_k (`reduceGradients`),
 * the loss Σ_k (n_k / batch)·loss_k, summed in the same order, and the correct counts. Empty shards
 * (batches smaller than `REDUCTION_SHARDS`) are skipped.
 */
export function combineShards(
  out: FloatArray,
  shards: readonly Shard[],
  results: readonly (ShardResult | null)[],
  grads: readonly Float32Array[],
  batch: number,
): ShardResult {
  const used: { weight: number; grads: Float32Array }[] = [];
  let loss = 0;
  let correct = 0;
  shards.forEach((shard, k) => {
    const result = results[k];
    if (shard.size === 0 || !result) return;
    const weight = shard.size / batch;
    loss = used.length === 0 ? weight * result.loss : loss + weight * result.loss;
    correct += result.correct;
    used.push({ weight, grads: grads[k]! });
  });
  reduceGradients(out, used);
  return { loss, correct };
}
