export type { CheckpointDirectory, LoadOptions } from './node-io';
export { checkpointDirectory, loadCheckpoint, loadClassifier, saveClassifier } from './node-io';
