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
export { Rng } from './rng';
export type {
  CellType,
  CellWeightNames,
  ModelSpec,
  RecurrentActivation,
  RecurrentLayerSpec,
  ResolvedLayer,
  WeightEntry,
} from './spec';
export {
  DENSE_LAYER_NAME,
  gateCount,
  parameterCount,
  resolveLayers,
  validateSpec,
  weightLayout,
} from './spec';
