export type { FileEntry } from './fs-atomic';
export { recoverDirectory, writeDirectoryAtomic, writeFileAtomic } from './fs-atomic';
export type { CheckpointDirectory, LoadOptions } from './node-io';
export { checkpointDirectory, loadCheckpoint, loadClassifier, saveClassifier } from './node-io';
