/**
 * `@gruvision/math`: the model-level API (the spec and weight layout, the `Engine` contract, the `'math'`
 * engine, initializers, optimizers, the seeded `Rng`). The kernels and the low-level math under it are
 * at `@gruvision/math/kernels`.
 */

export { hardSigmoidCoefficients } from './activations';
export type { DirectionMasks, DropoutMasks } from './dropout';
export { drawDropoutMasks, specHasDropout } from './dropout';
export type {
  BatchResult,
  Engine,
  LayerTrace,
  NamedWeight,
  NamedWeights,
  Network,
  NetworkOptions,
  OptimizerSpec,
  OptimizerState,
  ScheduleType,
  Trace,
} from './engine/contract';
export { OPTIMIZER_TYPES, SCHEDULE_TYPES } from './engine/contract';
export type { AdamStepScalars } from './engine/options';
export {
  adamStepScalars,
  checkLearningRate,
  checkNetworkOptions,
  checkOptimizerState,
  optimizerSlotNames,
  rmspropScalars,
  validateOptimizerSpec,
} from './engine/options';
export type { EngineErrorCode, GruErrorOptions, GruMathErrorCode } from './errors';
export { GruError, GruMathError } from './errors';
export type { FloatArray } from './float-array';
export { glorotNormal, glorotUniform, initializeWeights, orthogonal, zeros } from './initializers';
export type { RecurrentLayerOptions, RecurrentLayerWeights } from './layer-forward';
export { recurrentLayerForward } from './layer-forward';
export { DEFAULT_OPTIMIZER, MathNetwork, mathEngine } from './math-network';
export { MODEL_JSON_FILE, WEIGHTS_FILE, weightsPathProblem } from './model-folder';
export { Optimizer } from './optimizers';
export { mathBitsDependOn } from './reduction';
export { Rng } from './rng';
export type { ImageDimensions, ImageSequenceView } from './sequence-view';
export { viewDimensions, viewGather, viewScale } from './sequence-view';
export type {
  CellType,
  CellWeightNames,
  ModelSpec,
  RecurrentActivation,
  RecurrentLayerSpec,
  ResolvedLayer,
  UpdateGate,
  WeightEntry,
} from './spec';
export {
  CELL_TYPES,
  DENSE_LAYER_NAME,
  gateCount,
  hasRecurrentKernel,
  isMinCell,
  parameterCount,
  RECURRENT_ACTIVATIONS,
  resolveLayers,
  validateSpec,
  weightLayout,
} from './spec';
export { convertUpdateGate } from './update-gate';
export { checkLabels, checkSampleWeights, checkSequenceBatch, matchWeights } from './validate';
