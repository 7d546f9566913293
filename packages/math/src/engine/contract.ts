import type { CellType, ModelSpec } from '../spec';

export type { EngineErrorCode } from '../errors';

/** One weight tensor in canonical name, shape and layout (row-major float32). */
export interface NamedWeight {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** The weights of a network, in the order of `weightLayout(spec).entries`. */
export type NamedWeights = readonly NamedWeight[];

/** Optimizer settings; defaults follow Keras. */
export type OptimizerSpec =
  | {
      readonly type: 'sgd';
      readonly learningRate: number;
      readonly momentum?: number;
      readonly nesterov?: boolean;
    }
  | {
      readonly type: 'adam' | 'adamw';
      readonly learningRate: number;
      readonly beta1?: number;
      readonly beta2?: number;
      readonly epsilon?: number;
      /** AdamW only: decoupled weight decay. Default 0.004 (Keras). */
      readonly weightDecay?: number;
    }
  | {
      readonly type: 'rmsprop';
      readonly learningRate: number;
      readonly rho?: number;
      readonly momentum?: number;
      readonly epsilon?: number;
    };

/** How a network is created and trained. */
export interface NetworkOptions {
  /**
   * Seeds weight initialization (`initializeWeights(spec, seed)`) and the dropout masks, on every
   * engine: masks come from `new Rng(seed).fork()` in the order of `drawDropoutMasks`, one draw per
   * training batch, so the math and tfjs engines drop the same units.
   */
  readonly seed: number;
  /** Default `{ type: 'adam', learningRate: 1e-3 }`. */
  readonly optimizer?: OptimizerSpec;
  /** Clip gradients by global norm before each step. Default: no clipping. */
  readonly clipNorm?: number;
  /** L2 penalty coefficient on kernels (added to the loss as `l2 · Σ w²`). Default 0. */
  readonly l2?: number;
  /** L1 penalty coefficient on kernels (added to the loss as `l1 · Σ |w|`). Default 0. */
  readonly l1?: number;
  /** Label smoothing of the cross-entropy target. Default 0. */
  readonly labelSmoothing?: number;
}

/** Result of one optimization step on one batch. */
export interface BatchResult {
  /**
   * Mean cross-entropy loss of the batch (before the step), without the L2 or L1 term; with loss
   * weights, the weighted loss Σᵢ wᵢ·lossᵢ / batch that the step minimized.
   */
  readonly loss: number;
  /** Samples of the batch whose arg-max prediction equals the label (before the step). */
  readonly correct: number;
}

/** What one recurrent layer did at each step for one sample. */
export interface LayerTrace {
  readonly layer: string;
  readonly cell: CellType;
  readonly direction: 'forward' | 'backward';
  readonly units: number;
  /** Hidden state after each step, `[T, units]`, indexed by input time step. */
  readonly h: Float32Array;
  /** Per-gate activations `[T, units]`: GRU `z`, `r`, `hCandidate`; LSTM `i`, `f`, `o`, `c`; minGRU `z`, `hCandidate`;
   * minLSTM `i`, `f`, `hCandidate`; SimpleRNN none. */
  readonly gates: Readonly<Record<string, Float32Array>>;
}

/** A trace of one sample through the network. */
export interface Trace {
  readonly timeSteps: number;
  readonly layers: readonly LayerTrace[];
  /** Class probabilities the head gives to the last layer's output after each step, `[T, classes]`. */
  readonly stepProbabilities: Float32Array;
  /** Final class probabilities, `[classes]`. */
  readonly probabilities: Float32Array;
}

/** Optimizer state, in the canonical layout, for checkpoints. */
export interface OptimizerState {
  readonly step: number;
  /** Slot buffers (e.g. Adam `m`, `v`), each `totalSize` floats in the canonical layout. */
  readonly slots: Readonly<Record<string, Float32Array>>;
}

/** A trainable network built by an engine. Implemented by the math core and by the tfjs engine. */
export interface Network {
  readonly spec: ModelSpec;
  /**
   * One optimization step. `x: [batch, T, F]`, `y: [batch]` class indices, `weights: [batch]`
   * optional per-sample loss weights (class weight × sample weight, finite, ≥ 0; checked by
   * `checkSampleWeights`): the loss is then Keras's Σᵢ wᵢ·lossᵢ / batch, not PyTorch's Σᵢ wᵢ·lossᵢ / Σᵢ wᵢ.
   */
  trainBatch(x: Float32Array, y: Int32Array, batch: number, weights?: Float32Array): Promise<BatchResult>;
  /** Class probabilities `[batch, classes]` for `x: [batch, T, F]` (inference: no dropout). */
  predict(x: Float32Array, batch: number): Promise<Float32Array>;
  /** Gates and states per step of one sample `x: [T, F]`. */
  trace(x: Float32Array): Promise<Trace>;
  getWeights(): NamedWeights;
  setWeights(weights: NamedWeights): void;
  setLearningRate(learningRate: number): void;
  getOptimizerState(): OptimizerState;
  setOptimizerState(state: OptimizerState): void;
  /**
   * Restarts the dropout masks from `seed` as a network created with that seed draws them, then draws
   * and discards the masks of training batches of the sizes in `skip` (to continue a stream part-way).
   * Lets one network train every epoch with its own dropout seed, as a fresh network would.
   */
  resetDropout(seed: number, skip?: readonly number[]): void;
  dispose(): void;
}

/** Builds networks from a `ModelSpec`. */
export interface Engine {
  /** `'math'`, `'tfjs-cpu'`, `'tfjs-wasm'`, `'tfjs-webgl'`, ... */
  readonly name: string;
  create(spec: ModelSpec, options: NetworkOptions): Promise<Network>;
  /**
   * What the trained weights' bits depend on with this engine, in one sentence (stored in the
   * artifact's training summary). Optional for engines that cannot say.
   */
  bitsDependOn?(): string;
}

/** The optimizers every engine implements (`OptimizerSpec['type']`). */
export const OPTIMIZER_TYPES: readonly OptimizerSpec['type'][] = ['sgd', 'adam', 'adamw', 'rmsprop'];

/**
 * The learning-rate schedules a training loop may apply through `Network.setLearningRate` (the
 * classifier's `LearningRateSchedule['type']`).
 */
export const SCHEDULE_TYPES = ['constant', 'step', 'cosine'] as const;

/** A learning-rate schedule's name. */
export type ScheduleType = (typeof SCHEDULE_TYPES)[number];
