export type { BrowserParallelEngineOptions } from './parallel/browser-engine';
export { browserParallelMathEngine } from './parallel/browser-engine';
export type { ParallelMathEngine } from './parallel/parallel-network';
export { ParallelMathNetwork } from './parallel/parallel-network';
