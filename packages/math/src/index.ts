export {
  gate,
  gateGrad,
  gateSlope,
  hardSigmoid,
  hardSigmoidCoefficients,
  hardSigmoidKeras3,
  sigmoid,
  softmaxRows,
} from './activations';
export type { LossResult } from './dense';
export {
  addL2Penalty,
  clipByGlobalNorm,
  denseBackward,
  denseForward,
  globalNorm,
  softmaxCrossEntropy,
} from './dense';
export type { DirectionMasks, DropoutMasks } from './dropout';
export { drawDropoutMasks, fillDropoutMask, specHasDropout } from './dropout';
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
export {
  checkLearningRate,
  checkNetworkOptions,
  checkOptimizerState,
  optimizerSlotNames,
  validateOptimizerSpec,
} from './engine/options';
export type { EngineErrorCode, GruMathErrorCode } from './errors';
export { GruMathError } from './errors';
export type { FloatArray } from './float-array';
export { gemmNN, gemmNT, gemmTN, matmul, transpose, zeroMatrix } from './gemm';
export { glorotNormal, glorotUniform, initializeWeights, orthogonal, zeros } from './initializers';
export type { ActiveKernels, KernelMode } from './kernels';
export {
  activeKernels,
  initKernels,
  kernelMode,
  setKernels,
  setRelaxedSimd,
  wasmGemmFlavor,
  wasmRelaxedSimdSupported,
  wasmSimdSupported,
} from './kernels';
export type { RecurrentLayerOptions, RecurrentLayerWeights } from './layer-forward';
export { recurrentLayerForward } from './layer-forward';
export { DEFAULT_OPTIMIZER, MAX_CHUNK, MathNetwork, mathEngine, NetworkCore } from './network';
export { Optimizer } from './optimizers';
export type { DType, RecurrentCellConfig, RecurrentGrads, RecurrentParams } from './recurrent';
export { allocFloat, RecurrentWorkspace, recurrentBackward, recurrentForward } from './recurrent';
export type { ShardResult } from './reduction';
export {
  combineShards,
  mathBitsDependOn,
  REDUCTION_SHARDS,
  reduceGradients,
  shardGradient,
} from './reduction';
export { Rng } from './rng';
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
export { checkLabels, checkSequenceBatch, matchWeights } from './validate';
export type { GemmFlavor } from './wasm-gemm';
