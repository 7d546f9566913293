export {
  checkRelativePath,
  fromModelFiles,
  joinWeightData,
  MemoryHandler,
  MODEL_JSON_FILE,
  memoryFilesHandler,
  memoryHandler,
  toModelFiles,
  WEIGHTS_FILE,
  weightByteLength,
} from './artifacts';
export type { InitBackendOptions, TfjsBackend, TfjsEngineName } from './backends';
export { backendInfo, engineName, initBackend, tfjsBackends } from './backends';
export type { BuildModelOptions } from './build-model';
export { buildModel, buildRecurrentLayer } from './build-model';
export type { GruTfjsErrorCode } from './errors';
export { GruTfjsError } from './errors';
export type { DropoutMaskSource, GruStep, KerasGruArgs } from './gru-layer';
export { GRUVISION_GRU_CLASS, gruStep, KerasGRU, KerasGRUCell } from './gru-layer';
export type { HardSigmoidReading } from './hard-sigmoid';
export {
  HARD_SIGMOID_KERAS3,
  HARD_SIGMOID_TFJS,
  hardSigmoidKeras3,
  hardSigmoidTfjs,
  readHardSigmoid,
  registerGateActivations,
} from './hard-sigmoid';
export { explicitHardSigmoids, normalizeKerasConfig } from './keras-config';
export type { HardSigmoidNote, LoadModelOptions } from './load-model';
export { diagnoseLoadError, loadModel } from './load-model';
export type { MinCell, MinRecurrentArgs } from './min-rnn-layer';
export { affineScan, MinGRU, MinLSTM, minGates, positiveCandidate } from './min-rnn-layer';
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
