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
export { buildModel } from './build-model';
export type { GruTfjsErrorCode } from './errors';
export { GruTfjsError } from './errors';
export type { KerasGruArgs } from './gru-layer';
export { KerasGRU, KerasGRUCell } from './gru-layer';
export { normalizeKerasConfig } from './keras-config';
export { diagnoseLoadError, loadModel } from './load-model';
export {
  KerasCompatibleModel,
  KerasCompatibleSequential,
  layersRegistered,
  registerLayers,
} from './register-layers';
export { mapWeightName, normalizeWeightNames } from './weight-names';
export { checkNamedWeights, getNamedWeights, setNamedWeights, toTfjsWeights } from './weights';
