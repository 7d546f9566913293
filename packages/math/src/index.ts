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
export { recurrentBackward, recurrentForward } from './cells/sequence';
export type { DType, RecurrentCellConfig, RecurrentGrads, RecurrentParams } from './cells/workspace';
export { allocFloat, RecurrentWorkspace } from './cells/workspace';
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
  Trace,
} from './engine';
export type { GruMathErrorCode } from './errors';
export { GruMathError } from './errors';
export type { FloatArray } from './float-array';
export { gemmNN, gemmNT, gemmTN, matmul, transpose, zeroMatrix } from './gemm';
export { glorotNormal, glorotUniform, initializeWeights, orthogonal, zeros } from './initializers';
export type { RecurrentLayerOptions, RecurrentLayerWeights } from './layer-forward';
export { recurrentLayerForward } from './layer-forward';
export { DEFAULT_OPTIMIZER, MathNetwork, mathEngine } from './math-network';
export { MAX_CHUNK, NetworkCore } from './network';
export { Optimizer, validateOptimizerSpec } from './optimizers';
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
export type { GemmFlavor } from './wasm/gemm-module';
export type { ActiveKernels, KernelMode } from './wasm/runtime';
export {
  activeKernels,
  initKernels,
  kernelMode,
  setKernels,
  setRelaxedSimd,
  wasmGemmFlavor,
  wasmRelaxedSimdSupported,
  wasmSimdSupported,
} from './wasm/runtime';
