// The official onnx.proto (ONNX 1.10, IR 8) compiled to protobufjs static code by the `onnx-proto` package.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type OnnxModelProto = onnxProto.onnx.IModelProto;
export type OnnxNodeProto = onnxProto.onnx.INodeProto;
export type OnnxTensorProto = onnxProto.onnx.ITensorProto;
export type OnnxAttributeProto = onnxProto.onnx.IAttributeProto;

const utf8 = new TextEncoder();

export const attr = {
  int: (name: string, i: number): OnnxAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.INT,
    i,
  }),
  ints: (name: string, ints: number[]): OnnxAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.INTS,
    ints,
  }),
  float: (name: string, f: number): OnnxAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.FLOAT,
    f,
  }),
  floats: (name: string, floats: number[]): OnnxAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.FLOATS,
    floats,
  }),
  string: (name: string, s: string): OnnxAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.STRING,
    s: utf8.encode(s),
  }),
  strings: (name: string, strings: string[]): OnnxAttributeProto => ({
    name,
    type: onnx.AttributeProto.AttributeType.STRINGS,
    strings: strings.map((s) => utf8.encode(s)),
  }),
};

/** A float32 initializer (raw little-endian data). */
export function floatTensor(name: string, dims: number[], values: Float32Array): OnnxTensorProto {
  const rawData = new Uint8Array(values.length * 4);
  const view = new DataView(rawData.buffer);
  for (let i = 0; i < values.length; i++) view.setFloat32(i * 4, values[i]!, true);
  return { name, dims, dataType: onnx.TensorProto.DataType.FLOAT, rawData };
}

/** An int64 initializer (raw little-endian data). */
export function int64Tensor(
  name: string,
  dims: number[],
  values: ArrayLike<number | bigint>,
): OnnxTensorProto {
  const rawData = new Uint8Array(values.length * 8);
  const view = new DataView(rawData.buffer);
  for (let i = 0; i < values.length; i++) view.setBigInt64(i * 8, BigInt(values[i]!), true);
  return { name, dims, dataType: onnx.TensorProto.DataType.INT64, rawData };
}
