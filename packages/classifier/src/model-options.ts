import type { SequenceView } from '@gruvision/data';
import type { CellType, ModelSpec, RecurrentActivation } from '@gruvision/math';
import type { Preprocess } from './artifact';
import type { EngineOption } from './engines';
import type { ModelLimits } from './model-schema';

/** Options of `GruClassifier.create`. Only `classNames` is required. */
export interface GruClassifierOptions {
  readonly classNames: readonly string[];
  /** Input image height. Default 28. */
  readonly height?: number;
  /** Input image width. Default 28. */
  readonly width?: number;
  /** Input image channels (1 gray, 3 RGB, 4 RGBA). Default 1. */
  readonly channels?: number;
  /** How images become sequences. Default `{ mode: 'rows' }`. */
  readonly view?: SequenceView;
  /**
   * Compute the view's `normalize` (mean, std) on the training set at the first `fit` when the view has
   * none. Default true.
   */
  readonly normalize?: boolean;
  /** A full model spec; its `timeSteps`/`features` must match the view of the input shape. */
  readonly spec?: ModelSpec;
  /** Default `'gru'`. Ignored with `spec`. */
  readonly cell?: CellType;
  /** Default 128. Ignored with `spec`. */
  readonly units?: number;
  /** Stacked recurrent layers. Default 1. Ignored with `spec`. */
  readonly layers?: number;
  readonly bidirectional?: boolean;
  /** Default false, so saved models open in plain `tf.loadLayersModel`. */
  readonly resetAfter?: boolean;
  /** Default `'sigmoid'`. */
  readonly recurrentActivation?: RecurrentActivation;
  /** Every recurrent layer reads the sequence last step first (Keras `go_backwards`). Default false. Ignored with `spec`. */
  readonly goBackwards?: boolean;
  /** Seeds initialization, shuffling, splits and dropout. Default 0. */
  readonly seed?: number;
  /** Default `'math'`. */
  readonly engine?: EngineOption;
  /** `'mnist'`: MNIST-style centring of single pictures at predict time (digit models). Default `'none'`. */
  readonly preprocess?: Preprocess;
  /**
   * Sizes the model may have; the defaults are what `loadClassifier` accepts, so a model that trains
   * can always be loaded again. Raise a limit here and when loading, on purpose.
   */
  readonly limits?: ModelLimits;
}

export const CREATE_OPTION_KEYS = {
  classNames: true,
  height: true,
  width: true,
  channels: true,
  view: true,
  normalize: true,
  spec: true,
  cell: true,
  units: true,
  layers: true,
  bidirectional: true,
  resetAfter: true,
  recurrentActivation: true,
  goBackwards: true,
  seed: true,
  engine: true,
  preprocess: true,
  limits: true,
} as const satisfies Record<keyof GruClassifierOptions, true>;
