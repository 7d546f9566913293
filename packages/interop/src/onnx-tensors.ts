/** Reading ONNX protobuf: decoding a file, the values of its tensors, its nodes' attributes and labels. */
import { fail, GruInteropError } from './errors';
import type { OnnxAttributeProto, OnnxNodeProto, OnnxTensorProto } from './onnx-proto';
import { onnx } from './onnx-proto';

export const DEFAULT_MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

/** Float values of a tensor (float32 or float64, raw or typed fields). */
export function tensorFloats(tensor: OnnxTensorProto, file: string, what: string): Float32Array {
  const T = onnx.TensorProto.DataType;
  const count = (tensor.dims ?? []).reduce<number>((a, d) => a * Number(d), 1);
  if (tensor.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) {
    fail(
      'INVALID_FILE',
      file,
      `${what} keeps its data in an external file, which is not supported. Export with the weights inside the .onnx file.`,
    );
  }
  const raw = tensor.rawData && tensor.rawData.length > 0 ? tensor.rawData : undefined;
  /** Little-endian values of `size` bytes each, read from the raw bytes. */
  const fromRaw = (bytes: Uint8Array, size: 4 | 8, kind: string): Float32Array => {
    if (bytes.length !== count * size)
      fail(
        'SHAPE_MISMATCH',
        file,
        `${what} holds ${bytes.length} bytes for ${count} ${kind} values. The file is damaged.`,
      );
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const out = new Float32Array(count);
    for (let i = 0; i < count; i++)
      out[i] = size === 4 ? view.getFloat32(i * 4, true) : view.getFloat64(i * 8, true);
    return out;
  };
  let values: Float32Array;
  if (tensor.dataType === T.FLOAT) {
    values = raw ? fromRaw(raw, 4, 'float32') : Float32Array.from(tensor.floatData ?? []);
  } else if (tensor.dataType === T.DOUBLE) {
    values = raw ? fromRaw(raw, 8, 'float64') : Float32Array.from(tensor.doubleData ?? []);
  } else {
    return fail(
      'SHAPE_MISMATCH',
      file,
      `${what} has ONNX data type ${tensor.dataType}; only float32 and float64 weights are supported. Export the model in float32.`,
    );
  }
  if (values.length !== count)
    fail(
      'SHAPE_MISMATCH',
      file,
      `${what} holds ${values.length} values for dims [${(tensor.dims ?? []).join(', ')}].`,
    );
  for (let i = 0; i < values.length; i++) {
    if (!Number.isFinite(values[i]!))
      fail(
        'NON_FINITE',
        file,
        `${what} holds ${values[i]} at index ${i}. The model is corrupt; export it again.`,
      );
  }
  return values;
}

export function attributes(node: OnnxNodeProto): Map<string, OnnxAttributeProto> {
  return new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
}

export function nodeLabel(node: OnnxNodeProto, index: number): string {
  return `node ${node.name ? JSON.stringify(node.name) : `#${index}`} (${node.opType})`;
}

/** Decodes ONNX bytes; throws `INVALID_FILE` / `TOO_LARGE` naming `file`. */
export function decodeOnnx(bytes: Uint8Array, file: string, maxBytes = DEFAULT_MAX_IMPORT_BYTES): OnnxModel {
  if (!(bytes instanceof Uint8Array))
    fail('INVALID_ARGUMENT', file, 'expected the bytes of the file (a Uint8Array).');
  if (bytes.length > maxBytes)
    fail(
      'TOO_LARGE',
      file,
      `is ${bytes.length} bytes, more than the ${maxBytes} allowed. Raise the limit only for files you trust.`,
    );
  if (bytes.length === 0) fail('INVALID_FILE', file, 'is empty. Export the model again.');
  let model: OnnxModel;
  try {
    model = onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new GruInteropError(
      'INVALID_FILE',
      `${file}: is not an ONNX model or is truncated (${(error as Error).message}). Export the model again or check the download.`,
      { file, cause: error },
    );
  }
  if (!model.graph || (model.graph.node ?? []).length === 0) {
    fail(
      'INVALID_FILE',
      file,
      'holds no ONNX graph. It is not an ONNX model or it is truncated; export the model again.',
    );
  }
  return model;
}
export type OnnxModel = ReturnType<typeof onnx.ModelProto.decode>;

export function tensorInts(t: OnnxTensorProto): number[] {
  const raw = t.rawData && t.rawData.length > 0 ? t.rawData : undefined;
  const T = onnx.TensorProto.DataType;
  if (t.dataType === T.INT64) {
    if (raw) {
      const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Array.from({ length: raw.length / 8 }, (_, i) => Number(v.getBigInt64(i * 8, true)));
    }
    return (t.int64Data ?? []).map(Number);
  }
  if (t.dataType === T.INT32) {
    if (raw) {
      const v = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      return Array.from({ length: raw.length / 4 }, (_, i) => v.getInt32(i * 4, true));
    }
    return (t.int32Data ?? []).map(Number);
  }
  return [];
}

/** Who computes a graph value: the node, its index in the graph and which of its outputs. */
export type OnnxProducers = Map<string, { node: OnnxNodeProto; index: number; output: number }>;

/** A decoded graph's stored tensors and the producer of each value, shared by the readers of its parts. */
export interface OnnxGraphIndex {
  readonly file: string;
  readonly constants: Map<string, OnnxTensorProto>;
  readonly producer: OnnxProducers;
  /** The values of an initializer or `Constant` a node reads; `UNSUPPORTED_OP` when it is computed. */
  constant(name: string, what: string, node: OnnxNodeProto, index: number): Float32Array;
  dimsOf(name: string): number[];
}
