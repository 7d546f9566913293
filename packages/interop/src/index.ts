export type { ImportedLayer, ImportOptions } from './assemble-model';
export type { GruInteropErrorCode } from './errors';
export { GruInteropError } from './errors';
export type { OnnxActivation } from './gates';
export { GATE_ACTIVATIONS } from './gates';
export type { InteropInputShape, InteropModel, InteropView } from './model';
export { INTEROP_METADATA_VERSION, viewGather, viewShape } from './model';
export type { OnnxExportOptions } from './onnx-export';
export { modelToOnnx, ONNX_INPUT_NAME, ONNX_OPSET, ONNX_OUTPUT_NAME } from './onnx-export';
export { modelFromOnnx } from './onnx-import';
export { modelFromOnnxScan, onnxHasScan } from './onnx-min-import';
export { DEFAULT_MAX_IMPORT_BYTES } from './onnx-tensors';
export type { SafetensorsFile, SafetensorsTensor } from './safetensors';
export { MAX_SAFETENSORS_HEADER_BYTES, readSafetensors, writeSafetensors } from './safetensors';
export {
  modelFromSafetensors,
  modelToSafetensors,
  torchIncompatibility,
  torchStateDict,
} from './torch-weights';
