import type { BatchResult, Engine, NamedWeights, Network, NetworkOptions, Trace } from '../engine/contract';
import { GruMathError } from '../errors';
import { MathNetwork, MathTraining } from '../math-network';
import { MAX_CHUNK, NetworkCore } from '../network';
import { combineShards, REDUCTION_SHARDS, type ShardResult } from '../reduction';
import { type ModelSpec, type WeightEntry, weightLayout } from '../spec';
import { checkFinite, checkLabels, checkSampleWeights, checkTensor, matchWeights } from '../validate';
import type { ShardPool } from './pool';
import type { SharedInputs, WorkerInit, WorkerReply, WorkerRequest } from './protocol';
import { drawDropoutUniforms, splitBatch } from './shards';
import { ThreadChooser } from './thread-choice';

export { reduceGradients } from '../reduction';

/** Throws unless `threads` is an integer in [1, 256]. */
export function checkThreads(threads: number): void {
  if (!Number.isInteger(threads) || threads < 1 || threads > 256) {
    throw new GruMathError(
      'INVALID_ARGUMENT',
      `threads must be an integer from 1 to 256, got ${threads}. Use the number of CPU cores (os.availableParallelism()).`,
    );
  }
}

const FLOAT = 4;
/** `predict` runs on the main thread when the batch has fewer than this many samples per thread. */
export const SMALL_BATCH_PER_THREAD = 4;

/**
 * The math core trained data-parallel over worker threads (Node) or Web Workers. Each training batch is
 * split into `REDUCTION_SHARDS` contiguous shards whatever the thread count; the workers take them from
 * a shared queue, so one that gets less CPU takes fewer shards (each shard's mean gradient on a
 * `NetworkCore` that reads the parameters from a `SharedArrayBuffer` the main thread owns). How many
 * workers a batch gets follows their measured speed (`ThreadChooser`): on a loaded machine where two
 * threads run slower than one, training drops to one and tries more again now and then. The main thread sums the shard gradients in shard order
 * (weighted by shard size: the full-batch mean gradient up to float rounding), adds the L2 term, clips
 * and takes the optimizer step. Dropout masks are drawn for the whole batch on the main thread from the
 * same seeded generator as `MathNetwork`, and `MathNetwork` reduces the same shards the same way, so a
 * seed gives bit-identical weights on 1, 2, 3, 4, … threads and with `mathEngine`.
 * Prediction splits the batch across the workers too (batches under `SMALL_BATCH_PER_THREAD` samples
 * per thread, and `trace`, run on the main thread).
 *
 * Create it with `parallelMathEngine({ threads }).create(spec, options)` (Node) or
 * `browserParallelMathEngine` and `dispose()` it to stop the workers (idle Node workers do not keep the
 * process alive). `trainBatch`, `predict` and `trace` run one at a time in call order; the synchronous
 * `setWeights` / `setOptimizerState` should not be called while one of them is pending.
 */
export class ParallelMathNetwork extends MathTraining implements Network {
  readonly threads: number;
  /** Main-thread copy of the network for `trace` and small `predict` batches (parameters synced per call). */
  private readonly local: NetworkCore;
  private readonly entries: readonly WeightEntry[];
  private readonly params: Float32Array;
  private readonly grads: Float32Array;
  private readonly shardGrads: Float32Array[];
  private readonly pool: ShardPool;
  private buffers: SharedInputs;
  private capacity = 0;
  private nextId = 0;
  /** How many workers a training batch gets (from the measured speed; see `ThreadChooser`). */
  private readonly chooser: ThreadChooser;
  private tail: Promise<unknown> = Promise.resolve();
  private disposed = false;

  private constructor(
    spec: ModelSpec,
    options: NetworkOptions,
    params: Float32Array,
    shardGrads: Float32Array[],
    pool: ShardPool,
  ) {
    super(spec, options);
    this.threads = pool.size;
    this.chooser = new ThreadChooser(pool.size);
    this.local = new NetworkCore(spec, 'float32');
    const layout = weightLayout(spec);
    this.entries = layout.entries;
    this.params = params;
    this.grads = new Float32Array(layout.totalSize);
    this.shardGrads = shardGrads;
    this.pool = pool;
    this.buffers = ParallelMathNetwork.allocate(spec, 0, 0);
  }

  /**
   * Validates, initializes the weights (`initializeWeights(spec, seed)`) and starts `threads` workers
   * with `startPool` (the environment's way to start workers: Node worker threads or Web Workers).
   */
  static async create(
    spec: ModelSpec,
    options: NetworkOptions,
    threads: number,
    startPool: (inits: readonly WorkerInit[]) => Promise<ShardPool>,
  ): Promise<ParallelMathNetwork> {
    checkThreads(threads);
    if (typeof SharedArrayBuffer !== 'function') {
      throw new GruMathError(
        'INVALID_ARGUMENT',
        'SharedArrayBuffer is not available, so the parallel math engine cannot share weights with its workers. In a browser, serve the page cross-origin isolated (headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp), or use mathEngine.',
      );
    }
    // Validates spec and options exactly like the single-thread network and gives the same initial weights.
    const host = new MathNetwork(spec, options);
    const layout = weightLayout(spec);
    const paramBuffer = new SharedArrayBuffer(layout.totalSize * FLOAT);
    const params = new Float32Array(paramBuffer);
    for (const [i, w] of host.getWeights().entries()) params.set(w.values, layout.entries[i]!.offset);
    host.dispose();
    const gradBuffers = Array.from(
      { length: REDUCTION_SHARDS },
      () => new SharedArrayBuffer(layout.totalSize * FLOAT),
    );
    const inits: WorkerInit[] = Array.from({ length: threads }, (_, index) => ({
      spec,
      index,
      params: paramBuffer,
      grads: gradBuffers,
    }));
    const pool = await startPool(inits);
    return new ParallelMathNetwork(
      spec,
      options,
      params,
      gradBuffers.map((b) => new Float32Array(b)),
      pool,
    );
  }

  private static allocate(spec: ModelSpec, batch: number, uniformsPerSample: number): SharedInputs {
    const sample = spec.timeSteps * spec.features;
    return {
      x: new SharedArrayBuffer(batch * sample * FLOAT),
      y: new SharedArrayBuffer(batch * 4),
      weights: new SharedArrayBuffer(batch * FLOAT),
      uniforms: new SharedArrayBuffer(batch * uniformsPerSample * 8),
      probs: new SharedArrayBuffer(batch * spec.classes * FLOAT),
    };
  }

  private ensureCapacity(batch: number): void {
    if (batch <= this.capacity) return;
    const perSample = this.widths.reduce((a, w) => a + w, 0);
    this.buffers = ParallelMathNetwork.allocate(this.spec, batch, perSample);
    this.capacity = batch;
  }

  private checkAlive(): void {
    if (this.disposed) {
      throw new GruMathError(
        'DISPOSED',
        'This network was disposed. Create a new one with parallelMathEngine().create().',
      );
    }
    const failure = this.pool.error;
    if (failure !== undefined) throw failure;
  }

  /** Runs `op` after every earlier operation (calls that were not awaited still run one at a time). */
  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const run = this.tail.then(op);
    this.tail = run.catch(() => undefined);
    return run;
  }

  /**
   * Sends one request per non-empty shard and waits for all of them; if any fail, throws the error of
   * the lowest-numbered failing worker (not the first in time), so failures are reported reproducibly.
   */
  private async onWorkers(requests: readonly (WorkerRequest | null)[]): Promise<(WorkerReply | null)[]> {
    this.pool.ref();
    try {
      const settled = await Promise.allSettled(
        requests.map((request, k) => (request === null ? null : this.pool.request(k, request))),
      );
      const replies: (WorkerReply | null)[] = [];
      for (const s of settled) {
        if (s.status === 'rejected') throw s.reason;
        replies.push(s.value);
      }
      return replies;
    } finally {
      this.pool.unref();
    }
  }

  trainBatch(x: Float32Array, y: Int32Array, batch: number, weights?: Float32Array): Promise<BatchResult> {
    return this.serialize(async () => {
      this.checkAlive();
      this.checkInput(x, batch);
      checkLabels(y, batch, this.spec.classes);
      checkSampleWeights(weights, batch);
      this.ensureCapacity(batch);
      const buffers = this.buffers;
      new Float32Array(buffers.x).set(x);
      new Int32Array(buffers.y).set(y);
      const weighted = weights !== undefined;
      if (weighted) new Float32Array(buffers.weights).set(weights);
      const dropout = this.widths.length > 0;
      if (dropout)
        drawDropoutUniforms(this.dropoutRng, this.widths, batch, new Float64Array(buffers.uniforms));
      const labelSmoothing = this.options.labelSmoothing ?? 0;
      // Always REDUCTION_SHARDS shards, each into its own gradient buffer; the workers take them from a
      // queue (so the thread count and the load change who computes a shard, never what is computed or
      // the order of the sum). A fresh queue per batch: a late worker never takes a shard of the next one.
      const shards = splitBatch(batch, REDUCTION_SHARDS);
      const id = this.nextId++;
      const list = shards.flatMap((shard, index) => (shard.size > 0 ? [{ index, ...shard }] : []));
      const queue = new SharedArrayBuffer(4);
      const request: WorkerRequest = {
        type: 'train',
        id,
        buffers,
        batch,
        shards: list,
        queue,
        dropout,
        labelSmoothing,
        weighted,
      };
      const workers = Math.min(this.chooser.next(), list.length);
      const started = performance.now();
      const replies = await this.onWorkers(Array.from({ length: workers }, () => request));
      if (workers === this.chooser.next()) this.chooser.record((performance.now() - started) / 1000 / batch);
      if (this.disposed)
        throw new GruMathError('INVALID_ARGUMENT', 'The network was disposed during trainBatch.');
      const results: (ShardResult | null)[] = shards.map(() => null);
      for (const reply of replies) {
        if (reply === null || reply.type !== 'trained') continue;
        for (const r of reply.results) results[r.index] = r;
      }
      const { loss, correct } = combineShards(this.grads, shards, results, this.shardGrads, batch);
      this.update(this.params, this.grads);
      return { loss, correct };
    });
  }

  predict(x: Float32Array, batch: number): Promise<Float32Array> {
    return this.serialize(async () => {
      this.checkAlive();
      this.checkInput(x, batch);
      if (batch < SMALL_BATCH_PER_THREAD * this.threads) return this.predictLocally(x, batch);
      this.ensureCapacity(batch);
      const buffers = this.buffers;
      new Float32Array(buffers.x).set(x);
      const shards = splitBatch(batch, this.threads);
      const id = this.nextId++;
      await this.onWorkers(
        shards.map((shard) =>
          shard.size === 0 ? null : { type: 'predict', id, buffers, start: shard.start, size: shard.size },
        ),
      );
      return new Float32Array(buffers.probs, 0, batch * this.spec.classes).slice();
    });
  }

  /** Prediction on the main thread: for small batches a worker round trip costs more than it saves. */
  private predictLocally(x: Float32Array, batch: number): Float32Array {
    const { timeSteps: T, features: F, classes: C } = this.spec;
    const core = this.local;
    core.params.set(this.params);
    const out = new Float32Array(batch * C);
    for (let start = 0; start < batch; start += MAX_CHUNK) {
      const n = Math.min(MAX_CHUNK, batch - start);
      core.forward(x.subarray(start * T * F, (start + n) * T * F), n, false);
      out.set(core.probs.subarray(0, n * C), start * C);
    }
    return out;
  }

  trace(x: Float32Array): Promise<Trace> {
    return this.serialize(async () => {
      this.checkAlive();
      const shape = [this.spec.timeSteps, this.spec.features];
      checkTensor('x', x, shape, ['timeSteps', 'features']);
      checkFinite('x', x, shape);
      const core = this.local;
      core.params.set(this.params);
      core.forward(x, 1, false);
      return core.traceLastForward();
    });
  }

  getWeights(): NamedWeights {
    this.checkAlive();
    return this.entries.map((e) => ({
      name: e.name,
      shape: [...e.shape],
      values: this.params.slice(e.offset, e.offset + e.size),
    }));
  }

  setWeights(weights: NamedWeights): void {
    this.checkAlive();
    const values = matchWeights(this.entries, weights);
    this.entries.forEach((e, i) => {
      this.params.set(values[i]!, e.offset);
    });
  }

  /** The workers the next training batch gets: `threads`, or fewer where more were measured slower. */
  get activeThreads(): number {
    return this.chooser.next();
  }

  /** Stops the worker threads. The network cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    void this.pool.terminate();
  }
}

/** A data-parallel math engine: name `'math'` (same artifacts as `mathEngine`), plus its thread count. */
export interface ParallelMathEngine extends Engine {
  readonly name: 'math';
  readonly threads: number;
  create(spec: ModelSpec, options: NetworkOptions): Promise<ParallelMathNetwork>;
}
