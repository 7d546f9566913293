/**
 * `@gruvision/math/kernels`: the low-level math under the model-level API of `@gruvision/math`. Kernel
 * selection (TypeScript or WebAssembly SIMD), the GEMM, the gate functions, one recurrent direction over
 * a sequence (`RecurrentWorkspace`, `recurrentForward`, `recurrentBackward`), the dense head's pieces,
 * the flat-buffer network (`NetworkCore`) and the fixed-shard gradient reduction. For benchmarks, other
 * engines and tests that check the math itself; applications use `@gruvision/math`.
 */
export {
  gate,
  gateGrad,
  gateSlope,
  hardSigmoid,
  hardSigmoidKeras3,
  sigmoid,
  softmaxRows,
} from './activations';
export { recurrentBackward, recurrentForward } from './cells/sequence';
export type { DType, RecurrentCellConfig, RecurrentGrads, RecurrentParams } from './cells/workspace';
export { allocFloat, RecurrentWorkspace } from './cells/workspace';
export type { LossResult } from './dense';
export {
  addL2Penalty,
  clipByGlobalNorm,
  denseBackward,
  denseForward,
  globalNorm,
  softmaxCrossEntropy,
} from './dense';
export { fillDropoutMask } from './dropout';
export type { Gemm, Operands } from './gemm';
export { gemmNN, gemmNT, gemmTN, matmul, transpose, zeroMatrix } from './gemm';
export { MAX_CHUNK, NetworkCore } from './network';
export type { ShardResult } from './reduction';
export { combineShards, REDUCTION_SHARDS, reduceGradients, shardGradient } from './reduction';
export type { GemmFlavor } from './wasm/gemm-module';
export { kernelModuleBytes } from './wasm/gemm-module';
export type { ActiveKernels, KernelMode } from './wasm/runtime';
export {
  activeKernels,
  initKernels,
  kernelMode,
  setKernels,
  setRelaxedSimd,
  wasmGemmFlavor,
  wasmRelaxedSimdSupported,
  wasmSimdSupported,
} from './wasm/runtime';
