import type {
  BatchResult,
  DropoutMasks,
  Engine,
  ModelSpec,
  NamedWeights,
  Network,
  NetworkOptions,
  OptimizerSpec,
  OptimizerState,
  Trace,
} from '@gruvision/math';
import {
  checkLabels,
  checkLearningRate,
  checkNetworkOptions,
  checkSampleWeights,
  checkSequenceBatch,
  drawDropoutMasks,
  initializeWeights,
  matchWeights,
  Rng,
  specHasDropout,
  weightLayout,
} from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import type { InitBackendOptions, TfjsBackend, TfjsEngineName } from './backends';
import { engineName, initBackend } from './backends';
import { buildModel } from './build-model';
import { engineCheck, GruTfjsError } from './errors';
import { KerasGRU, type KerasGRUCell } from './gru-layer';
import { KerasOptimizer } from './optimizer';
import { traceSteps } from './trace';
import { getNamedWeights, setNamedWeights } from './weights';

/** The default optimizer (as the math core): Adam with Keras defaults and learning rate 1e-3. */
export const DEFAULT_TFJS_OPTIMIZER: OptimizerSpec = { type: 'adam', learningRate: 1e-3 };

/** Largest batch run through `predict` at once (bounds memory on GPUs). */
const PREDICT_CHUNK = 256;

type MaskHolder = {
  dropoutMask?: tf.Tensor | tf.Tensor[] | null;
  recurrentDropoutMask?: tf.Tensor | tf.Tensor[] | null;
};

/**
 * Frees the dropout masks stock tfjs recurrent cells keep between calls (they are only needed until
 * the backward pass of the step that drew them).
 */
function releaseDropoutMasks(model: tf.LayersModel): void {
  const layers: tf.layers.Layer[] = [];
  for (const layer of model.layers) {
    const wrapper = layer as unknown as { forwardLayer?: tf.layers.Layer; backwardLayer?: tf.layers.Layer };
    layers.push(layer);
    if (wrapper.forwardLayer) layers.push(wrapper.forwardLayer);
    if (wrapper.backwardLayer) layers.push(wrapper.backwardLayer);
  }
  for (const layer of layers) {
    const cell = (layer as unknown as { cell?: MaskHolder }).cell;
    if (!cell) continue;
    if (cell.dropoutMask) tf.dispose(cell.dropoutMask);
    if (cell.recurrentDropoutMask) tf.dispose(cell.recurrentDropoutMask);
    if (cell.dropoutMask !== undefined) cell.dropoutMask = null;
    if (cell.recurrentDropoutMask !== undefined) cell.recurrentDropoutMask = null;
  }
}

/** The recurrent cells of a model in the math core's mask order: per layer, forward then backward. */
function recurrentCells(model: tf.LayersModel): { cell: unknown; layer: tf.layers.Layer }[][] {
  const out: { cell: unknown; layer: tf.layers.Layer }[][] = [];
  for (const layer of model.layers) {
    const wrapper = layer as unknown as { forwardLayer?: tf.layers.Layer; backwardLayer?: tf.layers.Layer };
    const cellOf = (l: tf.layers.Layer) => ({ cell: (l as unknown as { cell?: unknown }).cell, layer: l });
    if (wrapper.forwardLayer && wrapper.backwardLayer) {
      out.push([cellOf(wrapper.forwardLayer), cellOf(wrapper.backwardLayer)]);
    } else if ((layer as unknown as { cell?: unknown }).cell) out.push([cellOf(layer)]);
  }
  return out;
}

type StockCell = { dropoutFunc?: ((ones: tf.Tensor, rate: number) => tf.Tensor) | null };

/**
 * Hands the masks of one training batch to the model's cells: a `KerasGRU` cell reads them through
 * `maskSource`; stock LSTM / SimpleRNN cells through `dropoutFunc`, which tfjs calls once per gate
 * block (4 for LSTM, 1 for SimpleRNN), inputs first — each call gets the same per-sequence mask, as
 * in Keras 3 and the math core. Returns a function that removes them again.
 */
function installMasks(model: tf.LayersModel, masks: DropoutMasks): () => void {
  const undo: (() => void)[] = [];
  recurrentCells(model).forEach((directions, i) => {
    directions.forEach(({ cell, layer }, d) => {
      const m = masks.layers[i]?.[d];
      if (!m) return;
      const tensor = (values: Float32Array | null, width: number) =>
        values ? tf.tensor2d(values, [values.length / width, width]) : null;
      if (layer instanceof KerasGRU) {
        const gru = cell as KerasGRUCell;
        gru.maskSource = (kind, shape) => tensor(kind === 'input' ? m.input : m.recurrent, shape[1]);
        undo.push(() => {
          gru.maskSource = null;
        });
        return;
      }
      const stock = cell as StockCell & { units: number };
      const queue: (Float32Array | null)[] = [];
      const count = layer.getClassName() === 'LSTM' ? 4 : 1;
      for (let k = 0; k < count; k++) if (m.input) queue.push(m.input);
      for (let k = 0; k < count; k++) if (m.recurrent) queue.push(m.recurrent);
      stock.dropoutFunc = (ones) => {
        const next = queue.shift();
        if (!next)
          throw new GruTfjsError(
            'INVALID_ARGUMENT',
            'A recurrent cell asked for more dropout masks than were drawn.',
          );
        return tf.tensor2d(next, ones.shape as [number, number]);
      };
      undo.push(() => {
        stock.dropoutFunc = null;
      });
    });
  });
  return () => {
    for (const u of undo) u();
  };
}

/**
 * The tfjs engine's `Network`: a `tf.Sequential` from {@link buildModel} with the math core's seeded
 * initial weights, trained by {@link KerasOptimizer} on gradients from tfjs autodiff. Loss, L2 and L1
 * (`l2 · Σ w² + l1 · Σ |w|` over every `kernel` / `recurrent_kernel`), global-norm clipping and label smoothing
 * follow the math core, so both engines agree step by step. Dropout masks are the math core's too:
 * drawn from `new Rng(seed).fork()` by `drawDropoutMasks`, one draw per training batch. Every call
 * frees its tensors.
 */
export class TfjsNetwork implements Network {
  readonly spec: ModelSpec;
  readonly options: NetworkOptions;
  /** The underlying model (for saving with `model.save(handler)`); disposed by `dispose()`. */
  readonly model: tf.Sequential;
  private readonly optimizer: KerasOptimizer;
  private readonly variables: tf.Variable[];
  private readonly kernelIndices: number[];
  private dropoutRng: Rng;
  private readonly hasDropout: boolean;
  /** The head-dropout mask of the batch being trained, `[B, H]`, or null. */
  private headMask: tf.Tensor2D | null = null;
  private disposed = false;

  constructor(spec: ModelSpec, options: NetworkOptions) {
    engineCheck(() => checkNetworkOptions(options));
    this.spec = spec;
    this.options = options;
    this.model = buildModel(spec, { weights: initializeWeights(spec, options.seed) });
    const byName = new Map(this.model.weights.map((w) => [w.originalName, w]));
    const entries = weightLayout(spec).entries;
    this.variables = entries.map((e) => byName.get(e.name)!.read() as tf.Variable);
    this.kernelIndices = entries.flatMap((e, i) => (e.name.endsWith('kernel') ? [i] : []));
    this.optimizer = new KerasOptimizer(options.optimizer ?? DEFAULT_TFJS_OPTIMIZER, this.variables);
    this.dropoutRng = new Rng(options.seed).fork();
    this.hasDropout = specHasDropout(spec);
  }

  private checkAlive(): void {
    if (this.disposed) {
      throw new GruTfjsError(
        'DISPOSED',
        'This network was disposed. Create a new one with tfjsEngine().create().',
      );
    }
  }

  private checkBatch(x: Float32Array, batch: number): void {
    this.checkAlive();
    engineCheck(() => checkSequenceBatch(x, batch, this.spec.timeSteps, this.spec.features));
  }

  private checkLabels(y: Int32Array, batch: number): void {
    engineCheck(() => checkLabels(y, batch, this.spec.classes));
  }

  /** Logits `[B,C]`: the recurrent stack (and head dropout when training), then the dense layer without softmax. */
  private logits(x: tf.Tensor3D, training: boolean): tf.Tensor2D {
    const layers = this.model.layers;
    let h: tf.Tensor = x;
    for (const layer of layers.slice(0, -1)) {
      if (training && this.headMask !== null && layer.getClassName() === 'Dropout')
        h = tf.mul(h, this.headMask);
      else h = layer.apply(h, { training }) as tf.Tensor;
    }
    const kernel = this.variables[this.variables.length - 2]!;
    const bias = this.variables[this.variables.length - 1]!;
    return tf.add(tf.matMul(h as tf.Tensor2D, kernel as tf.Tensor2D), bias);
  }

  /**
   * Mean softmax cross-entropy (with label smoothing) and the correct count, as tensors. With per-sample
   * `weights` `[B]`, the math core's weighted loss Σᵢ wᵢ·lossᵢ / B (Keras's, not Σ wᵢ in the denominator).
   */
  private lossAndCorrect(
    logits: tf.Tensor2D,
    labels: tf.Tensor1D,
    weights: tf.Tensor1D | null,
  ): { loss: tf.Scalar; correct: tf.Scalar } {
    const C = this.spec.classes;
    const smoothing = this.options.labelSmoothing ?? 0;
    const oneHot = tf.oneHot(labels, C).toFloat();
    const target = smoothing > 0 ? tf.add(tf.mul(oneHot, 1 - smoothing), smoothing / C) : oneHot;
    const perSample = tf.sum(tf.mul(target, tf.logSoftmax(logits)), 1);
    const loss = tf.neg(tf.mean(weights === null ? perSample : tf.mul(perSample, weights))) as tf.Scalar;
    const correct = tf.sum(tf.equal(tf.argMax(logits, 1), labels).toInt()) as tf.Scalar;
    return { loss, correct };
  }

  /** `l2 · Σ w² + l1 · Σ |w|` over every kernel, or null when both are 0. */
  private weightPenalty(): tf.Scalar | null {
    const l2 = this.options.l2 ?? 0;
    const l1 = this.options.l1 ?? 0;
    const terms: tf.Scalar[] = [];
    if (l2 !== 0) {
      terms.push(
        tf.mul(
          tf.addN(this.kernelIndices.map((i) => tf.sum(tf.square(this.variables[i]!)))),
          l2,
        ) as tf.Scalar,
      );
    }
    if (l1 !== 0) {
      terms.push(
        tf.mul(tf.addN(this.kernelIndices.map((i) => tf.sum(tf.abs(this.variables[i]!)))), l1) as tf.Scalar,
      );
    }
    if (terms.length === 0) return null;
    return terms.length === 1 ? terms[0]! : (tf.addN(terms) as tf.Scalar);
  }

  /**
   * Checks the batch, labels and sample weights (typed errors), then the loss (without L2/L1) and
   * gradients (with L2/L1, unclipped) in canonical order; the caller disposes the tensors.
   */
  private gradients(
    x: Float32Array,
    y: Int32Array,
    batch: number,
    training: boolean,
    weights: Float32Array | undefined,
  ): { loss: tf.Scalar; correct: tf.Scalar; grads: tf.Tensor[] } {
    this.checkBatch(x, batch);
    this.checkLabels(y, batch);
    engineCheck(() => checkSampleWeights(weights, batch));
    const { timeSteps: T, features: F } = this.spec;
    // The math core's masks for this batch (the same seeded stream, the same order).
    const masks = training && this.hasDropout ? drawDropoutMasks(this.spec, this.dropoutRng, batch) : null;
    const removeMasks = masks ? installMasks(this.model, masks) : () => {};
    let result: { loss: tf.Scalar; correct: tf.Scalar; grads: tf.Tensor[] };
    try {
      result = this.gradientsWith(x, y, weights, batch, training, masks, T, F);
    } finally {
      removeMasks();
      this.headMask = null;
    }
    releaseDropoutMasks(this.model);
    return result;
  }

  private gradientsWith(
    x: Float32Array,
    y: Int32Array,
    weights: Float32Array | undefined,
    batch: number,
    training: boolean,
    masks: DropoutMasks | null,
    T: number,
    F: number,
  ): { loss: tf.Scalar; correct: tf.Scalar; grads: tf.Tensor[] } {
    return tf.tidy(() => {
      if (masks?.head) this.headMask = tf.tensor2d(masks.head, [batch, masks.head.length / batch]);
      const xs = tf.tensor3d(x, [batch, T, F]);
      const labels = tf.tensor1d(y, 'int32');
      const w = weights === undefined ? null : tf.tensor1d(weights, 'float32');
      let loss: tf.Scalar | undefined;
      let correct: tf.Scalar | undefined;
      const { grads } = tf.variableGrads(() => {
        const result = this.lossAndCorrect(this.logits(xs, training), labels, w);
        loss = tf.keep(result.loss);
        correct = tf.keep(result.correct);
        const penalty = this.weightPenalty();
        return penalty ? tf.add(result.loss, penalty) : result.loss;
      }, this.variables);
      return { loss: loss!, correct: correct!, grads: this.variables.map((v) => grads[v.name]!) };
    });
  }

  async trainBatch(
    x: Float32Array,
    y: Int32Array,
    batch: number,
    weights?: Float32Array,
  ): Promise<BatchResult> {
    const { loss, correct, grads } = this.gradients(x, y, batch, true, weights);
    try {
      const clipNorm = this.options.clipNorm;
      if (clipNorm !== undefined) {
        const clipped = tf.tidy(() => {
          const norm = tf.sqrt(tf.addN(grads.map((g) => tf.sum(tf.square(g)))));
          const scale = tf.div(clipNorm, tf.maximum(norm, clipNorm));
          return grads.map((g) => tf.mul(g, scale));
        });
        this.optimizer.step(clipped);
        tf.dispose(clipped);
      } else {
        this.optimizer.step(grads);
      }
      const [lossValue, correctValue] = await Promise.all([loss.data(), correct.data()]);
      return { loss: lossValue[0]!, correct: correctValue[0]! };
    } finally {
      tf.dispose([loss, correct, ...grads]);
    }
  }

  /**
   * Loss and gradients of one batch with the current weights, no optimizer step (as the math core's
   * `computeGradients`): dropout off, L2 included, no clipping.
   */
  async computeGradients(
    x: Float32Array,
    y: Int32Array,
    batch: number,
    weights?: Float32Array,
  ): Promise<{ loss: number; gradients: NamedWeights }> {
    const { loss, correct, grads } = this.gradients(x, y, batch, false, weights);
    try {
      const entries = weightLayout(this.spec).entries;
      const values = await Promise.all(grads.map((g) => g.data()));
      return {
        loss: (await loss.data())[0]!,
        gradients: entries.map((e, i) => ({
          name: e.name,
          shape: [...e.shape],
          values: Float32Array.from(values[i] as Float32Array),
        })),
      };
    } finally {
      tf.dispose([loss, correct, ...grads]);
    }
  }

  async predict(x: Float32Array, batch: number): Promise<Float32Array> {
    this.checkBatch(x, batch);
    const { timeSteps: T, features: F, classes: C } = this.spec;
    const out = new Float32Array(batch * C);
    for (let start = 0; start < batch; start += PREDICT_CHUNK) {
      const n = Math.min(PREDICT_CHUNK, batch - start);
      const probs = tf.tidy(() => {
        const xs = tf.tensor3d(x.subarray(start * T * F, (start + n) * T * F), [n, T, F]);
        return tf.softmax(this.logits(xs, false));
      });
      releaseDropoutMasks(this.model);
      try {
        out.set((await probs.data()) as Float32Array, start * C);
      } finally {
        probs.dispose();
      }
    }
    return out;
  }

  async trace(x: Float32Array): Promise<Trace> {
    this.checkAlive();
    engineCheck(() => checkSequenceBatch(x, 1, this.spec.timeSteps, this.spec.features));
    const probabilities = await this.predict(x, 1);
    return traceSteps(this.spec, this.getWeights(), x, probabilities);
  }

  getWeights(): NamedWeights {
    this.checkAlive();
    return getNamedWeights(this.model, this.spec);
  }

  setWeights(weights: NamedWeights): void {
    this.checkAlive();
    engineCheck(() => matchWeights(weightLayout(this.spec).entries, weights));
    setNamedWeights(this.model, this.spec, weights);
  }

  setLearningRate(learningRate: number): void {
    this.checkAlive();
    engineCheck(() => checkLearningRate(learningRate));
    this.optimizer.learningRate = learningRate;
  }

  getOptimizerState(): OptimizerState {
    this.checkAlive();
    return this.optimizer.getState();
  }

  resetDropout(seed: number, skip: readonly number[] = []): void {
    this.checkAlive();
    this.dropoutRng = new Rng(seed).fork();
    if (this.hasDropout) for (const batch of skip) drawDropoutMasks(this.spec, this.dropoutRng, batch);
  }

  setOptimizerState(state: OptimizerState): void {
    this.checkAlive();
    this.optimizer.setState(state);
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.optimizer.dispose();
    releaseDropoutMasks(this.model);
    this.model.dispose();
  }
}

/** The tfjs engine on one backend; `create` initializes the backend (see {@link initBackend}) first. */
export interface TfjsEngine extends Engine {
  readonly name: TfjsEngineName;
  readonly backend: TfjsBackend;
  create(spec: ModelSpec, options: NetworkOptions): Promise<TfjsNetwork>;
}

/**
 * The TensorFlow.js `Engine` for a backend (`'cpu'`, `'wasm'`, `'webgl'`, `'webgpu'`); its name is
 * `tfjs-<backend>`. Nothing is initialized until `create` is called.
 */
export function tfjsEngine(
  backend: TfjsBackend = 'cpu',
  backendOptions: InitBackendOptions = {},
): TfjsEngine {
  return {
    name: engineName(backend),
    backend,
    async create(spec: ModelSpec, options: NetworkOptions): Promise<TfjsNetwork> {
      await initBackend(backend, backendOptions);
      return new TfjsNetwork(spec, options);
    },
    bitsDependOn: () =>
      `tfjs-${backend} (TensorFlow.js ${tf.version.tfjs}): the bits depend on the spec, seed (initial weights and ` +
      'dropout masks, as the math engine), optimizer options, the batches, and the backend, its version and the device',
  };
}
