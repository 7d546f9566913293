export * from './artifacts';
export type { InitBackendOptions, TfjsBackend, TfjsEngineName } from './backends';
export { backendInfo, engineName, initBackend, tfjsBackends } from './backends';
export type { BuildModelOptions } from './build-model';
export { buildModel, buildRecurrentLayer } from './build-model';
export type { GruTfjsErrorCode } from './errors';
export { GruTfjsError } from './errors';
export type { DropoutMaskSource, GruStep, KerasGruArgs } from './gru-layer';
export { GRUVISION_GRU_CLASS, gruStep, KerasGRU, KerasGRUCell } from './gru-layer';
export * from './hard-sigmoid';
export { explicitHardSigmoids, normalizeKerasConfig } from './keras-config';
export type { HardSigmoidNote, LoadModelOptions } from './load-model';
export { diagnoseLoadError, loadModel } from './load-model';
export * from './min-rnn-layer';
export { checkOptimizerSpec, KerasOptimizer } from './optimizer';
export {
  KerasCompatibleModel,
  KerasCompatibleSequential,
  layersRegistered,
  registerLayers,
} from './register-layers';
export type { TfjsEngine } from './tfjs-engine';
export { DEFAULT_TFJS_OPTIMIZER, TfjsNetwork, tfjsEngine } from './tfjs-engine';
export { traceSteps } from './trace';
export { mapWeightName, normalizeWeightNames } from './weight-names';
export { checkNamedWeights, getNamedWeights, setNamedWeights, toTfjsWeights } from './weights';
