import { softmaxRows } from './activations';
import { recurrentBackward, recurrentForward } from './cells/sequence';
import {
  allocFloat,
  type DType,
  type RecurrentGrads,
  type RecurrentParams,
  RecurrentWorkspace,
} from './cells/workspace';
import { addL1Penalty, addL2Penalty, denseBackward, denseForward, softmaxCrossEntropy } from './dense';
import { fillDropoutMask } from './dropout';
import type { BatchResult, LayerTrace, NamedWeights, Trace } from './engine/contract';
import type { FloatArray } from './float-array';
import type { Rng } from './rng';
import { type ModelSpec, type ResolvedLayer, resolveLayers, type WeightEntry, weightLayout } from './spec';
import { directionTrace } from './trace';
import { matchWeights } from './validate';

/** One direction of one recurrent layer inside a network. */
interface Direction {
  readonly ws: RecurrentWorkspace;
  readonly params: RecurrentParams;
  readonly grads: RecurrentGrads;
  /** Column offset of this direction in the layer output (0 or units). */
  readonly col: number;
  /** Bidirectional backward copy: its output sequence is flipped back to input time order (Keras). */
  readonly reverseOutput: boolean;
  inputMask: FloatArray;
  recurrentMask: FloatArray;
}

interface Layer {
  readonly resolved: ResolvedLayer;
  readonly directions: Direction[];
  /** Output sequence [T,B,outputSize] (layers with returnSequences). */
  out: FloatArray;
  /** Gradient w.r.t. this layer's input [T,B,inputSize] (layers after the first). */
  dIn: FloatArray;
}

/** Largest batch a network processes at once; `predict` splits bigger inputs into chunks of this size. */
export const MAX_CHUNK = 256;

/**
 * The network math of a `ModelSpec` on one flat parameter buffer (Float32 for training, Float64 for
 * gradient checks): recurrent layers, then dense + softmax. Parameters, gradients and optimizer slots
 * share the canonical layout of `weightLayout(spec)`.
 *
 * Internally sequences are time-major `[T,B,·]`; inputs arrive batch-major `x: [B,T,F]`.
 */
export class NetworkCore {
  readonly spec: ModelSpec;
  readonly dtype: DType;
  readonly entries: readonly WeightEntry[];
  readonly totalSize: number;
  readonly params: FloatArray;
  readonly grads: FloatArray;
  readonly layers: Layer[];
  readonly T: number;
  readonly F: number;
  readonly C: number;
  /** Width of the last recurrent output (the dense head's input). */
  readonly H: number;
  /** `[offset, size]` of every kernel (recurrent, dense) for the L2 penalty. */
  readonly kernelRanges: [number, number][];
  private readonly denseKernel: FloatArray;
  private readonly denseBias: FloatArray;
  private readonly dDenseKernel: FloatArray;
  private readonly dDenseBias: FloatArray;
  private capacity = 0;
  private B = 0;
  private xT: FloatArray;
  private dX: FloatArray;
  private last: FloatArray;
  private headIn: FloatArray;
  private headMask: FloatArray;
  private dLast: FloatArray;
  /** Logits, probabilities and logit gradients of the last forward pass: [B,C]. */
  logits: FloatArray;
  probs: FloatArray;
  dLogits: FloatArray;
  /** Whether the dropout masks currently drawn are applied by `forward(…, true)`. */
  private masksDrawn = false;

  constructor(spec: ModelSpec, dtype: DType) {
    const resolved = resolveLayers(spec);
    const layout = weightLayout(spec);
    this.spec = spec;
    this.dtype = dtype;
    this.entries = layout.entries;
    this.totalSize = layout.totalSize;
    this.params = allocFloat(dtype, layout.totalSize);
    this.grads = allocFloat(dtype, layout.totalSize);
    this.T = spec.timeSteps;
    this.F = spec.features;
    this.C = spec.classes;
    const byName = new Map(layout.entries.map((e) => [e.name, e]));
    const view = (buf: FloatArray, name: string): FloatArray => {
      const e = byName.get(name)!;
      return buf.subarray(e.offset, e.offset + e.size);
    };
    // mingru / minlstm have no recurrent kernel: an empty view.
    const recurrentView = (buf: FloatArray, name: string): FloatArray =>
      byName.has(name) ? view(buf, name) : buf.subarray(0, 0);
    this.kernelRanges = [];
    for (const e of layout.entries) {
      if (e.name.endsWith('kernel')) this.kernelRanges.push([e.offset, e.size]);
    }
    this.layers = resolved.map((r): Layer => {
      const directions = r.directions.map((names, d): Direction => {
        const goBackwards = d === 0 ? r.goBackwards : !r.goBackwards;
        const ws = new RecurrentWorkspace(
          {
            cell: r.cell,
            units: r.units,
            inputSize: r.inputSize,
            resetAfter: r.resetAfter,
            recurrentActivation: r.recurrentActivation,
            goBackwards,
            updateGate: r.updateGate,
          },
          spec.timeSteps,
          dtype,
        );
        return {
          ws,
          params: {
            kernel: view(this.params, names.kernel),
            recurrentKernel: recurrentView(this.params, names.recurrentKernel),
            bias: view(this.params, names.bias),
          },
          grads: {
            kernel: view(this.grads, names.kernel),
            recurrentKernel: recurrentView(this.grads, names.recurrentKernel),
            bias: view(this.grads, names.bias),
          },
          col: d * r.units,
          reverseOutput: d === 1,
          inputMask: allocFloat(dtype, 0),
          recurrentMask: allocFloat(dtype, 0),
        };
      });
      return { resolved: r, directions, out: allocFloat(dtype, 0), dIn: allocFloat(dtype, 0) };
    });
    this.H = resolved[resolved.length - 1]!.outputSize;
    this.denseKernel = view(this.params, 'dense/kernel');
    this.denseBias = view(this.params, 'dense/bias');
    this.dDenseKernel = view(this.grads, 'dense/kernel');
    this.dDenseBias = view(this.grads, 'dense/bias');
    const empty = allocFloat(dtype, 0);
    this.xT = this.dX = this.last = this.headIn = this.headMask = this.dLast = empty;
    this.logits = this.probs = this.dLogits = empty;
  }

  /** Copies named weights (validated) into the flat parameter buffer. */
  setWeights(weights: NamedWeights): void {
    const values = matchWeights(this.entries, weights);
    this.entries.forEach((e, i) => {
      this.params.set(values[i]!, e.offset);
    });
  }

  /** The weights as named Float32 copies in canonical order. */
  getWeights(): NamedWeights {
    return this.entries.map((e) => ({
      name: e.name,
      shape: [...e.shape],
      values: Float32Array.from(this.params.subarray(e.offset, e.offset + e.size)),
    }));
  }

  /** The gradients as named Float32 copies in canonical order. */
  getGradients(): NamedWeights {
    return this.entries.map((e) => ({
      name: e.name,
      shape: [...e.shape],
      values: Float32Array.from(this.grads.subarray(e.offset, e.offset + e.size)),
    }));
  }

  private ensureCapacity(B: number): void {
    if (B <= this.capacity) return;
    const { T, F, C, H, dtype } = this;
    this.xT = allocFloat(dtype, T * B * F);
    this.dX = allocFloat(dtype, T * B * F);
    for (const layer of this.layers) {
      const r = layer.resolved;
      if (r.returnSequences) layer.out = allocFloat(dtype, T * B * r.outputSize);
      if (r.index > 0) layer.dIn = allocFloat(dtype, T * B * r.inputSize);
      for (const d of layer.directions) {
        d.ws.ensureCapacity(B);
        d.inputMask = allocFloat(dtype, B * r.inputSize);
        d.recurrentMask = allocFloat(dtype, B * r.units);
      }
    }
    this.last = allocFloat(dtype, B * H);
    this.headIn = allocFloat(dtype, B * H);
    this.headMask = allocFloat(dtype, B * H);
    this.dLast = allocFloat(dtype, B * H);
    this.logits = allocFloat(dtype, B * C);
    this.probs = allocFloat(dtype, B * C);
    this.dLogits = allocFloat(dtype, B * C);
    this.capacity = B;
    this.masksDrawn = false;
  }

  /**
   * Draws inverted-dropout masks (one per sequence, Keras semantics) for a batch of `B` samples from
   * `rng`, in a fixed order: per layer and direction the input mask then the recurrent mask, then the
   * head mask. They stay fixed until the next call, so a gradient check can reuse them.
   */
  sampleDropoutMasks(rng: Rng, B: number): void {
    this.ensureCapacity(B);
    const fill = (mask: FloatArray, n: number, rate: number): void => fillDropoutMask(mask, n, rate, rng);
    for (const layer of this.layers) {
      const r = layer.resolved;
      for (const d of layer.directions) {
        if (r.dropout > 0) fill(d.inputMask, B * r.inputSize, r.dropout);
        if (r.recurrentDropout > 0) fill(d.recurrentMask, B * r.units, r.recurrentDropout);
      }
    }
    const headDropout = this.spec.headDropout ?? 0;
    if (headDropout > 0) fill(this.headMask, B * this.H, headDropout);
    this.masksDrawn = true;
  }

  /** Whether the spec uses any dropout. */
  get hasDropout(): boolean {
    return (
      (this.spec.headDropout ?? 0) > 0 ||
      this.layers.some((l) => l.resolved.dropout > 0 || l.resolved.recurrentDropout > 0)
    );
  }

  /**
   * Forward pass; leaves logits and probabilities `[B,C]` in `this.logits` / `this.probs`.
   * x: [B,T,F] (batch-major). With `training`, the masks of the last `sampleDropoutMasks` apply.
   */
  forward(x: FloatArray, B: number, training: boolean): void {
    this.ensureCapacity(B);
    this.B = B;
    const { T, F, H, C } = this;
    const useMasks = training && this.masksDrawn;
    const xT = this.xT;
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const src = (b * T + t) * F;
        const dst = (t * B + b) * F;
        for (let f = 0; f < F; f++) xT[dst + f] = x[src + f]!;
      }
    }
    let input = xT;
    for (const layer of this.layers) {
      const r = layer.resolved;
      const u = r.units;
      const O = r.outputSize;
      for (const d of layer.directions) {
        d.ws.inputMask = useMasks && r.dropout > 0 ? d.inputMask : null;
        d.ws.recurrentMask = useMasks && r.recurrentDropout > 0 ? d.recurrentMask : null;
        d.ws.scan = training ? 'parallel' : 'sequential';
        recurrentForward(d.ws, input, d.params, B, null, null);
        const hs = d.ws.hs;
        if (r.returnSequences) {
          const out = layer.out;
          for (let s = 0; s < T; s++) {
            const pos = d.reverseOutput ? T - 1 - s : s;
            for (let b = 0; b < B; b++) {
              const src = ((s + 1) * B + b) * u;
              const dst = (pos * B + b) * O + d.col;
              for (let j = 0; j < u; j++) out[dst + j] = hs[src + j]!;
            }
          }
        } else {
          const last = this.last;
          for (let b = 0; b < B; b++) {
            const src = (T * B + b) * u;
            const dst = b * O + d.col;
            for (let j = 0; j < u; j++) last[dst + j] = hs[src + j]!;
          }
        }
      }
      input = layer.out;
    }
    let headIn = this.last;
    if (useMasks && (this.spec.headDropout ?? 0) > 0) {
      headIn = this.headIn;
      const m = this.headMask;
      for (let i = 0; i < B * H; i++) headIn[i] = this.last[i]! * m[i]!;
    }
    this.headInUsed = headIn;
    denseForward(this.logits, headIn, this.denseKernel, this.denseBias, B, H, C);
    softmaxRows(this.probs, this.logits, B, C);
    this.trainingPass = useMasks;
  }

  private headInUsed: FloatArray = allocFloat('float32', 0);
  private trainingPass = false;

  /**
   * Mean softmax cross-entropy of the last forward pass against `labels` [B] (weighted by `weights`
   * [B] as `softmaxCrossEntropy` says, when given); also writes the gradient of that mean loss w.r.t.
   * the logits, ready for `backward`.
   */
  loss(labels: Int32Array, labelSmoothing: number, weights: ArrayLike<number> | null = null): BatchResult {
    return softmaxCrossEntropy(
      this.probs,
      this.dLogits,
      this.logits,
      labels,
      this.B,
      this.C,
      labelSmoothing,
      weights,
    );
  }

  /**
   * Backpropagation from `this.dLogits` through the head and every layer; adds into `this.grads`
   * (+=). With `inputGradient`, also returns dLoss/dx as a batch-major `[B,T,F]` buffer.
   */
  backward(inputGradient = false): FloatArray | null {
    const { T, F, H, C, B } = this;
    const dLast = this.dLast;
    dLast.fill(0, 0, B * H);
    denseBackward(
      dLast,
      this.dDenseKernel,
      this.dDenseBias,
      this.dLogits,
      this.headInUsed,
      this.denseKernel,
      B,
      H,
      C,
    );
    if (this.trainingPass && (this.spec.headDropout ?? 0) > 0) {
      const m = this.headMask;
      for (let i = 0; i < B * H; i++) dLast[i]! *= m[i]!;
    }
    for (let li = this.layers.length - 1; li >= 0; li--) {
      const layer = this.layers[li]!;
      const r = layer.resolved;
      const u = r.units;
      const O = r.outputSize;
      const input = li === 0 ? this.xT : this.layers[li - 1]!.out;
      let dInput: FloatArray | null = null;
      if (li > 0) {
        dInput = layer.dIn;
        dInput.fill(0, 0, T * B * r.inputSize);
      } else if (inputGradient) {
        dInput = this.dX;
        dInput.fill(0, 0, T * B * F);
      }
      for (const d of layer.directions) {
        const ws = d.ws;
        ws.ensureBackwardCapacity(B);
        const dHs = ws.dHs;
        if (!r.returnSequences) {
          dHs.fill(0, 0, T * B * u);
          const o = (T - 1) * B * u;
          for (let b = 0; b < B; b++) {
            for (let j = 0; j < u; j++) dHs[o + b * u + j] = dLast[b * O + d.col + j]!;
          }
        } else {
          const dOut = this.layers[li + 1]!.dIn;
          for (let s = 0; s < T; s++) {
            const pos = d.reverseOutput ? T - 1 - s : s;
            for (let b = 0; b < B; b++) {
              const dst = (s * B + b) * u;
              const src = (pos * B + b) * O + d.col;
              for (let j = 0; j < u; j++) dHs[dst + j] = dOut[src + j]!;
            }
          }
        }
        recurrentBackward(ws, d.grads, dInput, input, d.params);
      }
    }
    if (!inputGradient) return null;
    const dx = allocFloat(this.dtype, B * T * F);
    for (let b = 0; b < B; b++) {
      for (let t = 0; t < T; t++) {
        const src = (t * B + b) * F;
        const dst = (b * T + t) * F;
        for (let f = 0; f < F; f++) dx[dst + f] = this.dX[src + f]!;
      }
    }
    return dx;
  }

  /**
   * Zeroes the gradients, runs forward, loss and backward, and adds the L2 and L1 terms on kernels.
   * Returns the data loss (without L2/L1), the number of correct arg-max predictions and the L2 + L1 penalty.
   */
  computeGradients(
    x: FloatArray,
    labels: Int32Array,
    B: number,
    options: {
      training: boolean;
      labelSmoothing: number;
      l2: number;
      l1?: number;
      /** Per-sample loss weights `[B]` (see `softmaxCrossEntropy`); none: every sample weighs 1. */
      weights?: ArrayLike<number> | null;
    },
  ): BatchResult & { penalty: number } {
    this.grads.fill(0);
    this.forward(x, B, options.training);
    const result = this.loss(labels, options.labelSmoothing, options.weights ?? null);
    this.backward(false);
    const penalty =
      addL2Penalty(this.grads, this.params, this.kernelRanges, options.l2) +
      addL1Penalty(this.grads, this.params, this.kernelRanges, options.l1 ?? 0);
    return { loss: result.loss, correct: result.correct, penalty };
  }

  /**
   * Per-step record of one sample (run `forward(x, 1, false)` first): states and gates of every layer
   * and direction indexed by input time, and the head's probabilities after each step of the last layer
   * (bidirectional: both directions' states after the same number of processed steps).
   */
  traceLastForward(): Trace {
    const { T, H, C } = this;
    const layers: LayerTrace[] = [];
    for (const layer of this.layers) {
      const r = layer.resolved;
      layer.directions.forEach((d, di) => {
        layers.push({
          layer: r.name,
          cell: r.cell,
          direction: di === 0 ? 'forward' : 'backward',
          units: r.units,
          ...directionTrace(d.ws, r.cell),
        });
      });
    }
    const lastLayer = this.layers[this.layers.length - 1]!;
    const steps = allocFloat(this.dtype, T * H);
    for (const d of lastLayer.directions) {
      const u = lastLayer.resolved.units;
      for (let s = 0; s < T; s++) {
        for (let j = 0; j < u; j++) steps[s * H + d.col + j] = d.ws.hs[(s + 1) * u + j]!;
      }
    }
    const stepLogits = allocFloat(this.dtype, T * C);
    denseForward(stepLogits, steps, this.denseKernel, this.denseBias, T, H, C);
    const stepProbs = allocFloat(this.dtype, T * C);
    softmaxRows(stepProbs, stepLogits, T, C);
    return {
      timeSteps: T,
      layers,
      stepProbabilities: Float32Array.from(stepProbs),
      probabilities: Float32Array.from(this.probs.subarray(0, C)),
    };
  }
}
