export {
  type AtomicDirectoryOptions,
  type AtomicWriteResult,
  atomicWriteDirectory,
  atomicWriteFile,
  describeErrno,
  type FileEntry,
  recoverDirectory,
  removeStaleTemporaries,
} from './atomic-write';
export type {
  ConfinedFileProblem,
  ConfinedFileResult,
  NonRegularKind,
  RegularFileResult,
} from './confined-file';
export { isPlainRelativePath, readConfinedFile, readRegularFile } from './confined-file';
export type { ParallelEngineOptions } from './parallel/node-engine';
export { parallelMathEngine } from './parallel/node-engine';
export type { ParallelMathEngine } from './parallel/parallel-network';
export {
  ParallelMathNetwork,
  reduceGradients,
  SMALL_BATCH_PER_THREAD,
} from './parallel/parallel-network';
export type { Shard } from './parallel/shards';
export { splitBatch } from './parallel/shards';
