export * from './atomic-write';
export * from './confined-file';
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
