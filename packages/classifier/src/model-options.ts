import type { SequenceView } from '@gruvision/data';
import type { ModelSpec } from '@gruvision/math';
import type { Preprocess } from './artifact';
import type { RecurrentLayersOptions } from './default-spec';
import type { EngineOption } from './engines';
import type { ModelLimits } from './model-schema';

/**
 * Options of `GruClassifier.create`. Only `classNames` is required. The recurrent-layer options (`cell`,
 * `units`, `layers`, `bidirectional`, `resetAfter`, `recurrentActivation`, `goBackwards`: see
 * `RecurrentLayersOptions`) are ignored with `spec`.
 */
export interface GruClassifierOptions extends RecurrentLayersOptions {
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
