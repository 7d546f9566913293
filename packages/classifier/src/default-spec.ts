import type { CellType, ModelSpec, RecurrentActivation } from '@gruvision/math';
import { validateSpec } from '@gruvision/math';

/**
 * The recurrent layers of the common case, N identical layers of one cell: every option has a default.
 * `GruClassifier.create` takes the same options (and ignores them when it is given a full `spec`).
 */
export interface RecurrentLayersOptions {
  /** Default `'gru'`. */
  readonly cell?: CellType;
  /** Default 128. */
  readonly units?: number;
  /** Recurrent layers stacked. Default 1. */
  readonly layers?: number;
  readonly bidirectional?: boolean;
  /** Default `false`, so a saved model opens in plain tfjs (`tf.loadLayersModel`). */
  readonly resetAfter?: boolean;
  /** Default `'sigmoid'`. */
  readonly recurrentActivation?: RecurrentActivation;
  /** Every recurrent layer reads its sequence last step first (Keras `go_backwards`). Default false. */
  readonly goBackwards?: boolean;
}

/** The few options most users set; everything else has a default. */
export interface ClassifierShapeOptions extends RecurrentLayersOptions {
  /** Time steps of the sequence view (rows view of MNIST: 28). */
  readonly timeSteps: number;
  /** Features per step (rows view of MNIST: 28). */
  readonly features: number;
  readonly classes: number;
  readonly dropout?: number;
  readonly recurrentDropout?: number;
}

/** Builds and validates the `ModelSpec` for the common case: N identical recurrent layers and a softmax head. */
export function defaultSpec(options: ClassifierShapeOptions): ModelSpec {
  const cell = options.cell ?? 'gru';
  const layerCount = options.layers ?? 1;
  const spec: ModelSpec = {
    timeSteps: options.timeSteps,
    features: options.features,
    classes: options.classes,
    layers: Array.from({ length: layerCount }, () => ({
      cell,
      units: options.units ?? 128,
      ...(cell === 'gru' ? { resetAfter: options.resetAfter ?? false } : {}),
      ...(cell === 'simpleRnn' ? {} : { recurrentActivation: options.recurrentActivation ?? 'sigmoid' }),
      bidirectional: options.bidirectional ?? false,
      dropout: options.dropout ?? 0,
      recurrentDropout: options.recurrentDropout ?? 0,
      ...(options.goBackwards ? { goBackwards: true } : {}),
    })),
  };
  validateSpec(spec);
  return spec;
}
