export type { FileEntry } from './fs-atomic';
export {
  describeErrno,
  recoverDirectory,
  writeDirectoryAtomic,
  writeFileAtomic,
  writeFilesAtomic,
} from './fs-atomic';
export type { CheckpointDirectory, LoadCheckpointOptions, LoadOptions, SaveOptions } from './node-io';
export { checkpointDirectory, loadCheckpoint, loadClassifier, saveClassifier } from './node-io';
