/**
 * The `'math'` engine: `MathNetwork` (a Float32 `NetworkCore` of `network.ts` with an optimizer, dropout
 * masks and sharded gradients) and `mathEngine`, which creates it.
 */

import { addL1Penalty, addL2Penalty, clipByGlobalNorm } from './dense';
import type {
  BatchResult,
  Engine,
  NamedWeights,
  Network,
  NetworkOptions,
  OptimizerSpec,
  OptimizerState,
  Trace,
} from './engine/contract';
import { checkNetworkOptions } from './engine/options';
import { GruMathError } from './errors';
import type { FloatArray } from './float-array';
import { initializeWeights } from './initializers';
import { MAX_CHUNK, NetworkCore } from './network';
import { Optimizer } from './optimizers';
import { drawDropoutUniforms, dropoutMaskWidths, skipDropoutUniforms, splitBatch } from './parallel/shards';
import { combineShards, mathBitsDependOn, REDUCTION_SHARDS, shardGradient } from './reduction';
import { Rng } from './rng';
import { type ModelSpec, weightLayout } from './spec';
import { checkBatch, checkFinite, checkLabels, checkSampleWeights, checkTensor } from './validate';
import { activeKernels, initKernels } from './wasm/runtime';

/** The default optimizer: Adam with Keras defaults and learning rate 1e-3. */
export const DEFAULT_OPTIMIZER: OptimizerSpec = { type: 'adam', learningRate: 1e-3 };

/**
 * What both math engines keep beside the network math (`MathNetwork` here, `ParallelMathNetwork` over
 * worker threads): the spec and options, the optimizer, the dropout generator, the input checks and the
 * update after a batch's shard gradients are reduced (L2, L1, clipping, optimizer step).
 */
export abstract class MathTraining {
  readonly spec: ModelSpec;
  readonly options: NetworkOptions;
  protected readonly optimizer: Optimizer;
  protected dropoutRng: Rng;
  /** Per-sample widths of the dropout masks (`dropoutMaskWidths`). */
  protected readonly widths: number[];
  /** `[offset, size]` of every kernel in the flat parameter buffer (L2 and L1 apply there). */
  protected readonly kernelRanges: [number, number][];

  protected constructor(spec: ModelSpec, options: NetworkOptions) {
    checkNetworkOptions(options);
    this.spec = spec;
    this.options = options;
    const layout = weightLayout(spec);
    this.optimizer = new Optimizer(options.optimizer ?? DEFAULT_OPTIMIZER, layout.totalSize);
    this.dropoutRng = new Rng(options.seed).fork();
    this.widths = dropoutMaskWidths(spec);
    this.kernelRanges = layout.entries
      .filter((e) => e.name.endsWith('kernel'))
      .map((e) => [e.offset, e.size]);
  }

  /** Throws the engine's typed error unless `x` is a finite `[batch, timeSteps, features]` batch. */
  protected checkInput(x: Float32Array, batch: number): void {
    checkBatch(batch);
    const shape = [batch, this.spec.timeSteps, this.spec.features];
    checkTensor('x', x, shape, ['batch', 'timeSteps', 'features']);
    checkFinite('x', x, shape);
  }

  /** Adds the L2 and L1 terms to the reduced gradient, clips it and takes the optimizer step. */
  protected update(params: FloatArray, grads: FloatArray): void {
    addL2Penalty(grads, params, this.kernelRanges, this.options.l2 ?? 0);
    addL1Penalty(grads, params, this.kernelRanges, this.options.l1 ?? 0);
    if (this.options.clipNorm !== undefined) clipByGlobalNorm(grads, this.options.clipNorm);
    this.optimizer.step(params, grads);
  }

  setLearningRate(learningRate: number): void {
    if (!(learningRate > 0 && Number.isFinite(learningRate))) {
      throw new GruMathError(
        'INVALID_ARGUMENT',
        `learningRate must be a positive finite number, got ${learningRate}.`,
      );
    }
    this.optimizer.learningRate = learningRate;
  }

  getOptimizerState(): OptimizerState {
    return this.optimizer.getState();
  }

  setOptimizerState(state: OptimizerState): void {
    this.optimizer.setState(state);
  }

  resetDropout(seed: number, skip: readonly number[] = []): void {
    this.dropoutRng = new Rng(seed).fork();
    skipDropoutUniforms(this.dropoutRng, this.widths, skip);
  }
}

/**
 * The math engine's `Network`: a Float32 `NetworkCore` with an optimizer. Initial weights come from
 * `initializeWeights(spec, seed)`; dropout masks from a generator forked from `Rng(seed)`. Training is
 * deterministic: the same spec, options, seed and batches give bit-identical weights.
 */
export class MathNetwork extends MathTraining implements Network {
  private readonly core: NetworkCore;
  private uniforms = new Float64Array(0);
  private readonly shardGrads: Float32Array[];
  private disposed = false;

  constructor(spec: ModelSpec, options: NetworkOptions) {
    super(spec, options);
    this.core = new NetworkCore(spec, 'float32');
    this.core.setWeights(initializeWeights(spec, options.seed));
    this.shardGrads = Array.from({ length: REDUCTION_SHARDS }, () => new Float32Array(this.core.totalSize));
  }

  private checkAlive(): void {
    if (this.disposed) {
      throw new GruMathError(
        'DISPOSED',
        'This network was disposed. Create a new one with mathEngine.create().',
      );
    }
  }

  /**
   * Loss and gradients of one batch with the current weights, without an optimizer step. Gradients
   * include the L2 and L1 terms (as in training) but are not clipped; dropout is off.
   */
  computeGradients(
    x: Float32Array,
    y: Int32Array,
    batch: number,
    weights?: Float32Array,
  ): { loss: number; gradients: NamedWeights } {
    this.checkAlive();
    this.checkInput(x, batch);
    checkLabels(y, batch, this.spec.classes);
    checkSampleWeights(weights, batch);
    const result = this.core.computeGradients(x, y, batch, {
      training: false,
      labelSmoothing: this.options.labelSmoothing ?? 0,
      l2: this.options.l2 ?? 0,
      l1: this.options.l1 ?? 0,
      weights: weights ?? null,
    });
    return { loss: result.loss, gradients: this.core.getGradients() };
  }

  async trainBatch(
    x: Float32Array,
    y: Int32Array,
    batch: number,
    weights?: Float32Array,
  ): Promise<BatchResult> {
    return this.trainBatchSync(x, y, batch, weights);
  }

  /** Synchronous form of `trainBatch` (for workers and benchmarks). */
  trainBatchSync(x: Float32Array, y: Int32Array, batch: number, weights?: Float32Array): BatchResult {
    this.checkAlive();
    this.checkInput(x, batch);
    checkLabels(y, batch, this.spec.classes);
    checkSampleWeights(weights, batch);
    const core = this.core;
    // The fixed-shard reduction of every math engine (see REDUCTION_SHARDS): the same bits as the
    // parallel engine on any number of threads.
    let uniforms: Float64Array | null = null;
    if (this.widths.length > 0) {
      const need = batch * this.widths.reduce((a, w) => a + w, 0);
      if (this.uniforms.length < need) this.uniforms = new Float64Array(need);
      uniforms = this.uniforms;
      drawDropoutUniforms(this.dropoutRng, this.widths, batch, uniforms);
    }
    const ls = this.options.labelSmoothing ?? 0;
    const w = weights ?? null;
    const shards = splitBatch(batch, REDUCTION_SHARDS);
    const results = shards.map((shard, k) => {
      if (shard.size === 0) return null;
      const r = shardGradient(core, x, y, batch, shard, uniforms, this.widths, ls, w);
      this.shardGrads[k]!.set(core.grads);
      return r;
    });
    const result = combineShards(core.grads, shards, results, this.shardGrads, batch);
    this.update(core.params, core.grads);
    return result;
  }

  async predict(x: Float32Array, batch: number): Promise<Float32Array> {
    return this.predictSync(x, batch);
  }

  /**
   * Writes the class probabilities of `batch` samples into `out` (`[batch, classes]`) and returns it.
   * Reuses the network's workspaces: once a batch size has been seen, calls allocate no buffers
   * (the batch-1 latency path).
   */
  predictInto(x: Float32Array, batch: number, out: Float32Array): Float32Array {
    this.checkAlive();
    const { timeSteps: T, features: F, classes: C } = this.spec;
    // The full check builds its shape description eagerly; run it only when the cheap test fails.
    if (!(x instanceof Float32Array) || !Number.isInteger(batch) || batch < 1 || x.length !== batch * T * F) {
      this.checkInput(x, batch);
    }
    for (let i = 0; i < x.length; i++) {
      const v = x[i]!;
      if (v - v !== 0) checkFinite('x', x, [batch, T, F]);
    }
    if (!(out instanceof Float32Array) || out.length < batch * C) {
      throw new GruMathError(
        'SHAPE_MISMATCH',
        `out must hold batch × classes = ${batch * C} values, got ${out.length}. Allocate new Float32Array(${batch * C}).`,
      );
    }
    const core = this.core;
    for (let start = 0; start < batch; start += MAX_CHUNK) {
      const n = Math.min(MAX_CHUNK, batch - start);
      core.forward(start === 0 && n === batch ? x : x.subarray(start * T * F, (start + n) * T * F), n, false);
      const probs = core.probs;
      const o = start * C;
      for (let i = 0; i < n * C; i++) out[o + i] = probs[i]!;
    }
    return out;
  }

  /** Synchronous form of `predict`. */
  predictSync(x: Float32Array, batch: number): Float32Array {
    this.checkAlive();
    this.checkInput(x, batch);
    const { timeSteps: T, features: F, classes: C } = this.spec;
    const out = new Float32Array(batch * C);
    for (let start = 0; start < batch; start += MAX_CHUNK) {
      const n = Math.min(MAX_CHUNK, batch - start);
      this.core.forward(x.subarray(start * T * F, (start + n) * T * F), n, false);
      out.set(this.core.probs.subarray(0, n * C), start * C);
    }
    return out;
  }

  async trace(x: Float32Array): Promise<Trace> {
    this.checkAlive();
    const shape = [this.spec.timeSteps, this.spec.features];
    checkTensor('x', x, shape, ['timeSteps', 'features']);
    checkFinite('x', x, shape);
    this.core.forward(x, 1, false);
    return this.core.traceLastForward();
  }

  getWeights(): NamedWeights {
    this.checkAlive();
    return this.core.getWeights();
  }

  setWeights(weights: NamedWeights): void {
    this.checkAlive();
    this.core.setWeights(weights);
  }

  dispose(): void {
    this.disposed = true;
  }
}

/** The math core as an `Engine` (name `'math'`). */
export const mathEngine: Engine = {
  name: 'math',
  async create(spec: ModelSpec, options: NetworkOptions): Promise<MathNetwork> {
    await initKernels();
    return new MathNetwork(spec, options);
  },
  bitsDependOn: () => mathBitsDependOn(activeKernels()),
};
