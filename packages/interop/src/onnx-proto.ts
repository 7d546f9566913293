// The official onnx.proto (ONNX 1.10, IR 8) compiled to protobufjs static code by the `onnx-proto` package.
import onnxProto from 'onnx-proto';

export const onnx = onnxProto.onnx;
export type OnnxModelProto = onnxProto.onnx.IModelProto;
export type OnnxNodeProto = onnxProto.onnx.INodeProto;
export type OnnxTensorProto = onnxProto.onnx.ITensorProto;
export type OnnxAttributeProto = onnxProto.onnx.IAttributeProto;

const utf8 = new TextEncoder();

const { AttributeType } = onnx.AttributeProto;

/** A maker of one type of attribute, which holds its value (encoded, for strings) in `field`. */
function attribute<F extends 'i' | 'ints' | 'f' | 'floats' | 's' | 'strings', V>(
  type: onnxProto.onnx.AttributeProto.AttributeType,
  field: F,
  encode: (value: V) => OnnxAttributeProto[F],
): (name: string, value: V) => OnnxAttributeProto {
  return (name, value) => ({ name, type, [field]: encode(value) });
}

const asIs = <V>(value: V): V => value;

export const attr = {
  int: attribute(AttributeType.INT, 'i', asIs<number>),
  ints: attribute(AttributeType.INTS, 'ints', asIs<number[]>),
  float: attribute(AttributeType.FLOAT, 'f', asIs<number>),
  floats: attribute(AttributeType.FLOATS, 'floats', asIs<number[]>),
  string: attribute(AttributeType.STRING, 's', (s: string) => utf8.encode(s)),
  strings: attribute(AttributeType.STRINGS, 'strings', (strings: string[]) =>
    strings.map((s) => utf8.encode(s)),
  ),
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
