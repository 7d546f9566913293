export type { CheckpointDirectory, LoadCheckpointOptions, LoadOptions } from './node-io';
export { checkpointDirectory, loadCheckpoint, loadClassifier, saveClassifier } from './node-io';
