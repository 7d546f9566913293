import { Rng } from '../rng';
import { type ModelSpec, resolveLayers } from '../spec';

/** A contiguous slice `[start, start + size)` of a batch. */
export interface Shard {
  readonly start: number;
  readonly size: number;
}

/**
 * Splits `batch` samples into `parts` contiguous shards whose sizes differ by at most one (the first
 * `batch % parts` shards get the extra sample). Shards may be empty when `batch < parts`.
 */
export function splitBatch(batch: number, parts: number): Shard[] {
  const base = Math.floor(batch / parts);
  const extra = batch % parts;
  const shards: Shard[] = [];
  let start = 0;
  for (let k = 0; k < parts; k++) {
    const size = base + (k < extra ? 1 : 0);
    shards.push({ start, size });
    start += size;
  }
  return shards;
}

/**
 * Per-sample widths of the dropout masks of a spec, in the order `NetworkCore.sampleDropoutMasks`
 * draws them: per layer and direction the input mask (`inputSize`) then the recurrent mask (`units`),
 * then the head mask (the last layer's output size). Masks a spec does not use are left out.
 */
export function dropoutMaskWidths(spec: ModelSpec): number[] {
  const widths: number[] = [];
  const layers = resolveLayers(spec);
  for (const r of layers) {
    for (let d = 0; d < r.directions.length; d++) {
      if (r.dropout > 0) widths.push(r.inputSize);
      if (r.recurrentDropout > 0) widths.push(r.units);
    }
  }
  if ((spec.headDropout ?? 0) > 0) widths.push(layers[layers.length - 1]!.outputSize);
  return widths;
}

/**
 * Draws the uniforms of the dropout masks of a whole batch from `rng` into `out`, in exactly the order
 * `NetworkCore.sampleDropoutMasks(rng, batch)` consumes them: segment after segment (see
 * `dropoutMaskWidths`), each `batch × width` batch-major. Returns the number of values written.
 */
export function drawDropoutUniforms(
  rng: Rng,
  widths: readonly number[],
  batch: number,
  out: Float64Array,
): number {
  let n = 0;
  for (const w of widths) {
    const end = n + batch * w;
    for (; n < end; n++) out[n] = rng.next();
  }
  return n;
}

/** Draws and discards the dropout uniforms of training batches of the sizes in `batches`. */
export function skipDropoutUniforms(rng: Rng, widths: readonly number[], batches: readonly number[]): void {
  const perSample = widths.reduce((a, w) => a + w, 0);
  for (const batch of batches) for (let i = 0; i < batch * perSample; i++) rng.next();
}

/**
 * The uniforms of one shard, gathered from the whole-batch uniforms of `drawDropoutUniforms`: for every
 * segment, the rows `[shard.start, shard.start + shard.size)`. Replaying them through `ReplayRng` into
 * `sampleDropoutMasks(rng, shard.size)` gives the shard exactly its rows of the whole-batch masks.
 */
export function shardUniforms(
  all: Float64Array,
  widths: readonly number[],
  batch: number,
  shard: Shard,
): Float64Array {
  const total = widths.reduce((a, w) => a + w, 0);
  const out = new Float64Array(shard.size * total);
  let segment = 0;
  let n = 0;
  for (const w of widths) {
    const from = segment + shard.start * w;
    out.set(all.subarray(from, from + shard.size * w), n);
    n += shard.size * w;
    segment += batch * w;
  }
  return out;
}

/** An `Rng` whose `next()` replays given uniforms in order (other draws are not supported). */
export class ReplayRng extends Rng {
  private readonly values: Float64Array;
  private index = 0;

  constructor(values: Float64Array) {
    super(0);
    this.values = values;
  }

  override next(): number {
    if (this.index >= this.values.length) {
      throw new RangeError(`ReplayRng ran out of its ${this.values.length} uniforms.`);
    }
    return this.values[this.index++]!;
  }

  /** How many uniforms were replayed so far. */
  get used(): number {
    return this.index;
  }
}
