export type {
  ArtifactLimits,
  GruvisionMetadata,
  InputShape,
  ModelArtifacts,
  ModelJson,
  Preprocess,
  TrainingSummary,
  WeightsManifestEntry,
  WeightsManifestGroup,
} from './artifact';
export { ARTIFACT_FORMAT_VERSION, MODEL_FILE, WEIGHTS_FILE } from './artifact';
export type { Checkpoint, EpochLog, TrainingState } from './checkpoint';
export { checkpointFiles, checkpointFromFiles } from './checkpoint';
export { GruClassifier } from './classifier';
export type { ClassifierShapeOptions } from './default-spec';
export { defaultSpec } from './default-spec';
export type { EngineName, EngineOption } from './engines';
export { ENGINE_NAMES, resolveEngine } from './engines';
export type { GruClassifierErrorCode } from './errors';
export { GruClassifierError } from './errors';
export type { Callback, FitRun, StopReason } from './fit/callbacks';
export type { ClassWeight } from './fit/loss-weights';
export { balancedClassWeights } from './fit/loss-weights';
export type {
  BatchEndInfo,
  BestModel,
  CheckpointOptions,
  EarlyStoppingOptions,
  FitCallbacks,
  FitOptions,
  History,
  KeepBestOptions,
  MonitoredMetric,
  ReduceOnPlateauOptions,
  TrainBeginInfo,
} from './fit/options';
export type { LearningRateSchedule } from './fit/schedule';
export { learningRateAt } from './fit/schedule';
export type { ImageDataLike, ImageInput, PredictInput } from './images';
export type { ClassMetrics, Evaluation } from './metrics';
export type { GruClassifierOptions } from './model-options';
export type { ModelLimits } from './model-schema';
export { DEFAULT_MODEL_LIMITS } from './model-schema';
export type { PlainModel } from './plain-model';
export { classifierFromPlainModel, plainModelOf } from './plain-model';
export type { ClassProbability, Explanation, Prediction } from './prediction';
export type { KerasLayerJson, ModelTopologyJson } from './topology';
export { modelTopology } from './topology';
export { CLASSIFIER_VERSION } from './version';
