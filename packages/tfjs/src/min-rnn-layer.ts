import * as tf from '@tensorflow/tfjs';
import type { RecurrentLayerArgs } from './recurrent-layer-args';

/** The minimal cells of Feng et al. 2024 ("Were RNNs All We Needed?"). */
export type MinCell = 'mingru' | 'minlstm';

/** Arguments of {@link MinGRU} / {@link MinLSTM}: those of every recurrent layer, nothing more. */
export type MinRecurrentArgs = RecurrentLayerArgs;

/** The paper's positive candidate g(x): x + 0.5 for x ≥ 0, σ(x) below. */
export function positiveCandidate(x: tf.Tensor): tf.Tensor {
  return tf.where(tf.greaterEqual(x, 0), tf.add(x, 0.5), tf.sigmoid(x));
}

/**
 * The gates of every step from the pre-activations `pre [..., g·u]` (blocks minGRU z|h, minLSTM i|f|h):
 * the recurrence coefficients `a`, `b` of `h_t = a_t ⊙ h_{t−1} + b_t` and the named gates.
 */
export function minGates(
  cell: MinCell,
  pre: tf.Tensor,
): { a: tf.Tensor; b: tf.Tensor; gates: Record<string, tf.Tensor> } {
  if (cell === 'mingru') {
    const [kz, kh] = tf.split(pre, 2, -1) as [tf.Tensor, tf.Tensor];
    const z = tf.sigmoid(kz);
    const hCandidate = positiveCandidate(kh);
    return { a: tf.sub(1, z), b: tf.mul(z, hCandidate), gates: { z, hCandidate } };
  }
  const [ki, kf, kh] = tf.split(pre, 3, -1) as [tf.Tensor, tf.Tensor, tf.Tensor];
  const i = tf.sigmoid(ki);
  const f = tf.sigmoid(kf);
  const hCandidate = positiveCandidate(kh);
  const sum = tf.add(f, i);
  return { a: tf.div(f, sum), b: tf.mul(tf.div(i, sum), hCandidate), gates: { i, f, hCandidate } };
}

/**
 * `h_t = a_t ⊙ h_{t−1} + b_t` with h_0 = 0 for `a, b: [B, T, u]` as a Hillis–Steele scan over time:
 * ⌈log₂ T⌉ rounds of tensor ops composing affine maps `(A, B)` with the ones `k` steps earlier.
 * Linear space, no division: coefficients in [0, 1] only get multiplied, so nothing overflows (the math
 * engine's chunked scan is the same composition, see `@gruvision/math` `cells/linear-scan.ts`).
 * Differentiable by tfjs autodiff.
 */
export function affineScan(a: tf.Tensor3D, b: tf.Tensor3D): tf.Tensor3D {
  const T = a.shape[1];
  let A: tf.Tensor3D = a;
  let Bv: tf.Tensor3D = b;
  for (let k = 1; k < T; k *= 2) {
    const size = [-1, T - k, -1];
    const Aprev = tf.pad(
      tf.slice(A, [0, 0, 0], size),
      [
        [0, 0],
        [k, 0],
        [0, 0],
      ],
      1,
    );
    const Bprev = tf.pad(
      tf.slice(Bv, [0, 0, 0], size),
      [
        [0, 0],
        [k, 0],
        [0, 0],
      ],
      0,
    );
    Bv = tf.add(Bv, tf.mul(A, Bprev));
    A = tf.mul(A, Aprev);
  }
  return Bv;
}

abstract class MinRecurrent extends tf.layers.Layer {
  abstract readonly cellType: MinCell;
  readonly units: number;
  readonly returnSequences: boolean;
  readonly goBackwards: boolean;
  readonly dropout: number;
  readonly returnState = false;
  private kernel: tf.LayerVariable | null = null;
  private bias: tf.LayerVariable | null = null;

  constructor(args: MinRecurrentArgs) {
    super(args as ConstructorParameters<typeof tf.layers.Layer>[0]);
    this.units = args.units;
    this.returnSequences = args.returnSequences ?? false;
    this.goBackwards = args.goBackwards ?? false;
    this.dropout = args.dropout ?? 0;
    this.inputSpec = [{ ndim: 3 }];
  }

  protected abstract gateCount(): number;

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const I = shape[shape.length - 1]!;
    const G = this.gateCount() * this.units;
    this.kernel = this.addWeight('kernel', [I, G], 'float32', tf.initializers.glorotUniform({}));
    this.bias = this.addWeight('bias', [G], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    return this.returnSequences ? [shape[0]!, shape[1]!, this.units] : [shape[0]!, this.units];
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Record<string, unknown>): tf.Tensor {
    return tf.tidy(() => {
      let x = (Array.isArray(inputs) ? inputs[0]! : inputs) as tf.Tensor3D;
      const [B, T, I] = x.shape;
      if (kwargs.training === true && this.dropout > 0) {
        // One inverted mask per sequence, the same at every step (Keras' RNN dropout).
        const mask = tf.dropout(tf.ones([B, 1, I]), this.dropout);
        x = tf.mul(x, mask);
      }
      if (this.goBackwards) x = tf.reverse(x, 1);
      const G = this.gateCount() * this.units;
      const pre = tf.reshape(
        tf.add(tf.matMul(tf.reshape(x, [B * T, I]), this.kernel!.read()), this.bias!.read()),
        [B, T, G],
      );
      const { a, b } = minGates(this.cellType, pre);
      const h = affineScan(a as tf.Tensor3D, b as tf.Tensor3D);
      return this.returnSequences ? h : tf.reshape(tf.slice(h, [0, T - 1, 0], [-1, 1, -1]), [B, this.units]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      returnSequences: this.returnSequences,
      goBackwards: this.goBackwards,
      dropout: this.dropout,
      returnState: false,
      stateful: false,
    };
  }

  override resetStates(): void {}
}

/**
 * minGRU layer: kernel `[I, 2u]` (z|h), bias `[2u]`, no recurrent kernel;
 * `h_t = (1 − z_t) ⊙ h_{t−1} + z_t ⊙ g(h̃_t)`, all steps at once by {@link affineScan}.
 * Serialized as class `MinGRU` (registered by `registerLayers()`).
 */
export class MinGRU extends MinRecurrent {
  static className = 'MinGRU';
  readonly cellType = 'mingru';
  protected gateCount(): number {
    return 2;
  }
}

/**
 * minLSTM layer: kernel `[I, 3u]` (i|f|h), bias `[3u]`, no recurrent kernel;
 * `h_t = f′_t ⊙ h_{t−1} + i′_t ⊙ g(h̃_t)` with `f′ = f/(f+i)`, `i′ = i/(f+i)`.
 * Serialized as class `MinLSTM` (registered by `registerLayers()`).
 */
export class MinLSTM extends MinRecurrent {
  static className = 'MinLSTM';
  readonly cellType = 'minlstm';
  protected gateCount(): number {
    return 3;
  }
}
