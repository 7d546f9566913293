import * as tf from '@tensorflow/tfjs';
import { GruTfjsError } from './errors';
import { HARD_SIGMOID_KERAS3, HARD_SIGMOID_TFJS, hardSigmoidKeras3, hardSigmoidTfjs } from './hard-sigmoid';
import type { RecurrentLayerArgs } from './recurrent-layer-args';

type Initializer = ReturnType<typeof tf.initializers.zeros>;
type InitializerIdentifier = string | Initializer | { className: string; config?: Record<string, unknown> };
type Kwargs = Record<string, unknown>;

/** Arguments of {@link KerasGRU} / {@link KerasGRUCell}: the Keras `GRU` config in camelCase. */
export interface KerasGruArgs extends RecurrentLayerArgs {
  /** `true`: Keras 3 / PyTorch / cuDNN form, bias `[2, 3u]`; `false`: tfjs / Keras 2 form, bias `[3u]`. */
  readonly resetAfter?: boolean;
  /**
   * `'keepsOld'` (default, Keras): h = z ⊙ h_prev + (1 − z) ⊙ ĥ, z = 1 keeps the old state;
   * `'takesNew'` (the founding text): h = (1 − z) ⊙ h_prev + z ⊙ ĥ, z = 1 takes the new candidate.
   */
  readonly updateGate?: 'keepsOld' | 'takesNew';
  /** Default `'tanh'`. */
  readonly activation?: string | null;
  /**
   * Default `'sigmoid'` (Keras). Note that stock tfjs defaults to `'hardSigmoid'` (clip(0.2x + 0.5));
   * `'hardSigmoidKeras3'` is Keras 3's clip(x/6 + 0.5).
   */
  readonly recurrentActivation?: string | null;
  readonly useBias?: boolean;
  readonly kernelInitializer?: InitializerIdentifier;
  readonly recurrentInitializer?: InitializerIdentifier;
  readonly biasInitializer?: InitializerIdentifier;
  readonly recurrentDropout?: number;
  readonly returnState?: boolean;
  readonly stateful?: boolean;
  readonly unroll?: boolean;
}

const activations: Record<string, (x: tf.Tensor) => tf.Tensor> = {
  tanh: (x) => tf.tanh(x),
  sigmoid: (x) => tf.sigmoid(x),
  // tfjs / Keras 2 hard sigmoid: clip(0.2x + 0.5, 0, 1).
  hardSigmoid: hardSigmoidTfjs,
  // Keras 3 hard sigmoid: clip(x/6 + 0.5, 0, 1).
  [HARD_SIGMOID_KERAS3]: hardSigmoidKeras3,
  // gruvision's explicit file name of the 0.2x one.
  [HARD_SIGMOID_TFJS]: hardSigmoidTfjs,
  relu: (x) => tf.relu(x),
  linear: (x) => x,
};

/** Resolves an activation name (camelCase, as tfjs passes it; `null` means linear). */
export function resolveActivation(
  name: string | null | undefined,
  fallback: string,
): (x: tf.Tensor) => tf.Tensor {
  const key = name === null ? 'linear' : (name ?? fallback);
  const fn = activations[key];
  if (!fn) {
    throw new GruTfjsError(
      'UNSUPPORTED_CONFIG',
      `GRU activation "${key}" is not supported by @gruvision/tfjs. Use one of ${Object.keys(activations).join(', ')}.`,
    );
  }
  return fn;
}

function resolveInitializer(
  identifier: InitializerIdentifier | undefined,
  fallback: () => Initializer,
): Initializer {
  if (identifier === undefined || identifier === null) return fallback();
  if (typeof identifier === 'string') {
    const factory = (tf.initializers as unknown as Record<string, (args?: object) => Initializer>)[
      identifier
    ];
    if (!factory) {
      throw new GruTfjsError(
        'UNSUPPORTED_CONFIG',
        `Unknown initializer "${identifier}". Use a tf.initializers name such as "glorotUniform", "orthogonal" or "zeros".`,
      );
    }
    return factory({});
  }
  if (typeof (identifier as Initializer).apply === 'function') return identifier as Initializer;
  const config = identifier as { className: string; config?: Record<string, unknown> };
  const entry = tf.serialization.SerializationMap.getMap().classNameMap[config.className];
  if (!entry) {
    throw new GruTfjsError(
      'UNSUPPORTED_CONFIG',
      `Unknown initializer class "${config.className}". Call registerLayers() from @gruvision/tfjs before loading Keras 3 models, or use a tfjs initializer.`,
    );
  }
  const [cls, fromConfig] = entry;
  return fromConfig(cls, (config.config ?? {}) as tf.serialization.ConfigDict) as unknown as Initializer;
}

/** The class name of a founding-form (`updateGate: 'takesNew'`) GRU in saved topologies. */
export const GRUVISION_GRU_CLASS = 'GruvisionGRU';

/** A provider of dropout masks for {@link KerasGRUCell.maskSource}. */
export type DropoutMaskSource = (
  kind: 'input' | 'recurrent',
  shape: [number, number],
  rate: number,
) => tf.Tensor | null;

/** Gate activations and new state of one GRU step, each `[B,u]`. */
export interface GruStep {
  readonly z: tf.Tensor2D;
  readonly r: tf.Tensor2D;
  readonly hCandidate: tf.Tensor2D;
  readonly h: tf.Tensor2D;
}

/**
 * One GRU step in tfjs ops. `x [B,I]`, `h [B,u]` (the state the recurrent product reads, after any
 * recurrent dropout), `hPrev [B,u]` (the state `z` interpolates with); kernel `[I,3u]`,
 * recurrentKernel `[u,3u]`, bias `[3u]` or (`resetAfter`) `[2,3u]`; gate blocks z | r | h.
 */
export function gruStep(
  x: tf.Tensor2D,
  h: tf.Tensor2D,
  hPrev: tf.Tensor2D,
  weights: { kernel: tf.Tensor2D; recurrentKernel: tf.Tensor2D; bias: tf.Tensor | null },
  options: { units: number; resetAfter: boolean; updateGate?: 'keepsOld' | 'takesNew' },
  recurrentActivation: (x: tf.Tensor) => tf.Tensor,
  activation: (x: tf.Tensor) => tf.Tensor = activations.tanh!,
): GruStep {
  const u = options.units;
  const { kernel, recurrentKernel, bias } = weights;
  let matrixX = tf.matMul(x, kernel);
  let z: tf.Tensor2D;
  let r: tf.Tensor2D;
  let hCandidate: tf.Tensor2D;
  if (options.resetAfter) {
    let matrixInner = tf.matMul(h, recurrentKernel);
    if (bias) {
      const [inputBias, recurrentBias] = tf.unstack(bias, 0) as [tf.Tensor1D, tf.Tensor1D];
      matrixX = tf.add(matrixX, inputBias);
      matrixInner = tf.add(matrixInner, recurrentBias);
    }
    const [xZ, xR, xH] = tf.split(matrixX, [u, u, u], 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const [hZ, hR, hH] = tf.split(matrixInner, [u, u, u], 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    z = recurrentActivation(tf.add(xZ, hZ)) as tf.Tensor2D;
    r = recurrentActivation(tf.add(xR, hR)) as tf.Tensor2D;
    hCandidate = activation(tf.add(xH, tf.mul(r, hH))) as tf.Tensor2D;
  } else {
    if (bias) matrixX = tf.add(matrixX, bias);
    const [rkZR, rkH] = tf.split(recurrentKernel, [2 * u, u], 1) as [tf.Tensor2D, tf.Tensor2D];
    const matrixInner = tf.matMul(h, rkZR);
    const [xZ, xR, xH] = tf.split(matrixX, [u, u, u], 1) as [tf.Tensor2D, tf.Tensor2D, tf.Tensor2D];
    const [hZ, hR] = tf.split(matrixInner, [u, u], 1) as [tf.Tensor2D, tf.Tensor2D];
    z = recurrentActivation(tf.add(xZ, hZ)) as tf.Tensor2D;
    r = recurrentActivation(tf.add(xR, hR)) as tf.Tensor2D;
    hCandidate = activation(tf.add(xH, tf.matMul(tf.mul(r, h), rkH))) as tf.Tensor2D;
  }
  // Keras (keepsOld): z = 1 keeps the old state; the founding text (takesNew): z = 1 takes the candidate.
  const keep = options.updateGate === 'takesNew' ? tf.sub(1, z) : z;
  const hNext = tf.add(tf.mul(keep, hPrev), tf.mul(tf.sub(1, keep), hCandidate)) as tf.Tensor2D;
  return { z, r, hCandidate, h: hNext };
}

/**
 * A GRU cell that implements both Keras forms. With `resetAfter: true` (Keras 3 / PyTorch / cuDNN):
 * `ĥ = act(x·Wh + bxh + r ⊙ (h·Uh + bhh))`, bias `[2, 3u]` = [input bias; recurrent bias];
 * with `resetAfter: false` (tfjs / Keras 2): `ĥ = act(x·Wh + (r ⊙ h)·Uh + bh)`, bias `[3u]`.
 * Both: gate blocks z | r | h, `h' = z ⊙ h + (1 − z) ⊙ ĥ`. Built only from tfjs ops, so it trains
 * through tfjs autodiff on every backend.
 */
export class KerasGRUCell extends tf.layers.RNNCell {
  static className = 'GruvisionGRUCell';
  readonly units: number;
  stateSize: number;
  readonly resetAfter: boolean;
  readonly updateGate: 'keepsOld' | 'takesNew';
  readonly useBias: boolean;
  readonly dropout: number;
  readonly recurrentDropout: number;
  private readonly activationName: string;
  private readonly recurrentActivationName: string;
  private readonly activationFn: (x: tf.Tensor) => tf.Tensor;
  private readonly recurrentActivationFn: (x: tf.Tensor) => tf.Tensor;
  private readonly kernelInitializer: Initializer;
  private readonly recurrentInitializer: Initializer;
  private readonly biasInitializer: Initializer;
  kernel: tf.LayerVariable | null = null;
  recurrentKernel: tf.LayerVariable | null = null;
  bias: tf.LayerVariable | null = null;
  /**
   * Where training-mode dropout masks come from: a function giving the mask (0 or 1/(1−rate), shape
   * `[batch, width]`) for the inputs or the recurrent state, or returning null for tfjs' own random
   * source (the default, unseeded). The tfjs engine sets it to draw the math core's seeded masks.
   */
  maskSource: DropoutMaskSource | null = null;

  constructor(args: KerasGruArgs) {
    super(args as unknown as ConstructorParameters<typeof tf.layers.RNNCell>[0]);
    if (!Number.isInteger(args.units) || args.units < 1) {
      throw new GruTfjsError('INVALID_ARGUMENT', `GRU units must be a positive integer, got ${args.units}.`);
    }
    this.units = args.units;
    this.stateSize = args.units;
    this.resetAfter = args.resetAfter ?? true;
    if (args.updateGate !== undefined && args.updateGate !== 'keepsOld' && args.updateGate !== 'takesNew') {
      throw new GruTfjsError(
        'UNSUPPORTED_CONFIG',
        `GRU updateGate must be "keepsOld" or "takesNew", got ${JSON.stringify(args.updateGate)}.`,
      );
    }
    this.updateGate = args.updateGate ?? 'keepsOld';
    this.useBias = args.useBias ?? true;
    this.dropout = Math.min(1, Math.max(0, args.dropout ?? 0));
    this.recurrentDropout = Math.min(1, Math.max(0, args.recurrentDropout ?? 0));
    this.activationName = args.activation === null ? 'linear' : (args.activation ?? 'tanh');
    this.recurrentActivationName =
      args.recurrentActivation === null ? 'linear' : (args.recurrentActivation ?? 'sigmoid');
    this.activationFn = resolveActivation(this.activationName, 'tanh');
    this.recurrentActivationFn = resolveActivation(this.recurrentActivationName, 'sigmoid');
    this.kernelInitializer = resolveInitializer(args.kernelInitializer, () =>
      tf.initializers.glorotUniform({}),
    );
    this.recurrentInitializer = resolveInitializer(args.recurrentInitializer, () =>
      tf.initializers.orthogonal({}),
    );
    this.biasInitializer = resolveInitializer(args.biasInitializer, () => tf.initializers.zeros());
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = (Array.isArray(inputShape[0]) ? inputShape[0] : inputShape) as tf.Shape;
    const inputDim = shape[shape.length - 1] as number;
    const g = 3 * this.units;
    this.kernel = this.addWeight('kernel', [inputDim, g], 'float32', this.kernelInitializer, undefined, true);
    this.recurrentKernel = this.addWeight(
      'recurrent_kernel',
      [this.units, g],
      'float32',
      this.recurrentInitializer,
      undefined,
      true,
    );
    this.bias = this.useBias
      ? this.addWeight(
          'bias',
          this.resetAfter ? [2, g] : [g],
          'float32',
          this.biasInitializer,
          undefined,
          true,
        )
      : null;
    this.built = true;
  }

  /** One step. `inputs = [x [B,I], h [B,u]]` → `[h', h']`. */
  override call(inputs: tf.Tensor | tf.Tensor[], _kwargs: Kwargs): tf.Tensor[] {
    return tf.tidy(() => {
      const list = inputs as tf.Tensor[];
      if (!Array.isArray(list) || list.length !== 2) {
        throw new GruTfjsError('INVALID_ARGUMENT', 'A GRU cell step takes exactly [x, h].');
      }
      let x = list[0] as tf.Tensor2D;
      let h = list[1] as tf.Tensor2D;
      const hPrev = h;
      const inputMask = this.dropoutMask as tf.Tensor | null;
      const recurrentMask = this.recurrentDropoutMask as tf.Tensor | null;
      if (inputMask != null) x = tf.mul(x, inputMask);
      if (recurrentMask != null) h = tf.mul(h, recurrentMask);
      const gates = this.gates(x, h, hPrev);
      return [gates.h, gates.h];
    });
  }

  /**
   * The gate activations of one step: `x [B,I]`, `h [B,u]` (after recurrent dropout), `hPrev [B,u]`
   * (the state that `z` interpolates with). Used by `call` and by step-by-step tracing.
   */
  gates(x: tf.Tensor2D, h: tf.Tensor2D, hPrev: tf.Tensor2D = h): GruStep {
    return gruStep(
      x,
      h,
      hPrev,
      {
        kernel: this.kernel!.read() as tf.Tensor2D,
        recurrentKernel: this.recurrentKernel!.read() as tf.Tensor2D,
        bias: this.bias?.read() ?? null,
      },
      { units: this.units, resetAfter: this.resetAfter, updateGate: this.updateGate },
      this.recurrentActivationFn,
      this.activationFn,
    );
  }

  override getConfig(): tf.serialization.ConfigDict {
    return {
      ...super.getConfig(),
      units: this.units,
      activation: this.activationName,
      recurrentActivation: this.recurrentActivationName,
      useBias: this.useBias,
      kernelInitializer: serializeInitializer(this.kernelInitializer),
      recurrentInitializer: serializeInitializer(this.recurrentInitializer),
      biasInitializer: serializeInitializer(this.biasInitializer),
      kernelRegularizer: null,
      recurrentRegularizer: null,
      biasRegularizer: null,
      activityRegularizer: null,
      kernelConstraint: null,
      recurrentConstraint: null,
      biasConstraint: null,
      dropout: this.dropout,
      recurrentDropout: this.recurrentDropout,
      implementation: 2,
      resetAfter: this.resetAfter,
      // Only written for the founding form, which Keras does not have (see GruvisionGRU).
      ...(this.updateGate === 'takesNew' ? { updateGate: this.updateGate } : {}),
    };
  }
}

function serializeInitializer(initializer: Initializer): tf.serialization.ConfigDict {
  return { className: initializer.getClassName(), config: initializer.getConfig() };
}

/**
 * A Keras `GRU` layer for tfjs that also accepts `resetAfter: true` (which stock tfjs refuses).
 * Serializes as class `GRU` with `reset_after` in its config, so Keras reads the saved model as its
 * own GRU; after {@link registerLayers} tfjs deserializes it back into this class.
 */
export class KerasGRU extends tf.RNN {
  static override className = 'GRU';
  declare readonly cell: KerasGRUCell;

  constructor(args: KerasGruArgs) {
    const cell = new KerasGRUCell(args);
    super({ ...(args as object), cell } as ConstructorParameters<typeof tf.RNN>[0]);
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    super.build(inputShape);
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[], kwargs: Kwargs): tf.Tensor | tf.Tensor[] {
    return tf.tidy(() => {
      const training = kwargs?.training === true;
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [batch, , inputDim] = x.shape;
      const cell = this.cell;
      // One mask per sequence (Keras); they live until this call's tidy ends. Backprop keeps its own copies.
      const draw = (kind: 'input' | 'recurrent', width: number, rate: number): tf.Tensor =>
        cell.maskSource?.(kind, [batch, width], rate) ?? tf.dropout(tf.ones([batch, width]), rate);
      if (training && cell.dropout > 0 && cell.dropout < 1) {
        cell.dropoutMask = draw('input', inputDim, cell.dropout);
      }
      if (training && cell.recurrentDropout > 0 && cell.recurrentDropout < 1) {
        cell.recurrentDropoutMask = draw('recurrent', cell.units, cell.recurrentDropout);
      }
      try {
        return super.call(inputs, {
          mask: kwargs?.mask ?? null,
          training,
          initialState: kwargs?.initialState ?? null,
        });
      } finally {
        cell.dropoutMask = null as unknown as tf.Tensor;
        cell.recurrentDropoutMask = null as unknown as tf.Tensor;
      }
    });
  }

  get units(): number {
    return this.cell.units;
  }

  get resetAfter(): boolean {
    return this.cell.resetAfter;
  }

  get updateGate(): 'keepsOld' | 'takesNew' {
    return this.cell.updateGate;
  }

  override getClassName(): string {
    // Keras has no founding-form GRU: such a layer serializes as GruvisionGRU, which readers other
    // than gruvision refuse instead of running it as a standard GRU.
    // (tfjs asks while constructing, before the cell exists.)
    return this.cell?.updateGate === 'takesNew' ? GRUVISION_GRU_CLASS : KerasGRU.className;
  }

  override getConfig(): tf.serialization.ConfigDict {
    const config = super.getConfig();
    delete config.cell;
    return config;
  }

  static override fromConfig<T extends tf.serialization.Serializable>(
    cls: tf.serialization.SerializableConstructor<T>,
    config: tf.serialization.ConfigDict,
  ): T {
    return new cls(config);
  }
}
