export type { ParallelEngineOptions, ParallelMathEngine } from './parallel/parallel-network';
export { ParallelMathNetwork, parallelMathEngine, reduceGradients } from './parallel/parallel-network';
export type { Shard } from './parallel/shards';
export { splitBatch } from './parallel/shards';
