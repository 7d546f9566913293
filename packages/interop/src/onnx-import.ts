import { assembleModel, type ImportOptions } from './assemble-model';
import { fail } from './errors';
import type { InteropModel } from './model';
import { parseMetadataJson } from './model';
import { readDenseHead } from './onnx-head';
import { modelFromOnnxScan } from './onnx-min-import';
import type { OnnxNodeProto, OnnxTensorProto } from './onnx-proto';
import { RNN_OPS, readRecurrentLayer } from './onnx-recurrent';
import {
  attributes,
  decodeOnnx,
  nodeLabel,
  type OnnxGraphIndex,
  type OnnxModel,
  type OnnxProducers,
  tensorFloats,
} from './onnx-tensors';

/** Operators that only move or reshape data (or build the zero initial state). */
const PLUMBING = new Set([
  'Transpose',
  'Reshape',
  'Squeeze',
  'Unsqueeze',
  'Slice',
  'Gather',
  'Concat',
  'Shape',
  'Constant',
  'ConstantOfShape',
  'Identity',
  'Cast',
  'Expand',
  'Flatten',
]);
/** Arithmetic gruvision's own export puts before the first recurrent layer (the view's scaling). */
const OWN_PREPROCESSING = new Set(['Mul', 'Add', 'Sub', 'Div']);

/**
 * A classifier exported by `torch.onnx.export` from `nn.GRU` / `nn.LSTM` / `nn.RNN` (batch_first, one
 * or more layers, bidirectional or not, an `nn.Linear` head, with or without a final softmax) — or by
 * gruvision's own `modelToOnnx` — as a gruvision model. The recurrent layers are read from the ONNX
 * `GRU` / `LSTM` / `RNN` nodes, the head from `Gemm` (or `MatMul` + `Add`); a graph that does anything
 * else gets a `GruInteropError` naming the node and its op. A file with a `Scan` (gruvision's export of
 * minGRU / minLSTM layers) is read by `modelFromOnnxScan`.
 */
export function modelFromOnnx(bytes: Uint8Array, options: ImportOptions = {}): InteropModel {
  const file = options.file ?? 'model.onnx';
  const model = decodeOnnx(bytes, file, options.maxBytes);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  // minGRU / minLSTM layers are exported around a Scan: only gruvision's own such graphs are read.
  if (nodes.some((n) => n.opType === 'Scan')) return modelFromOnnxScan(bytes, options);
  const metaText = (model.metadataProps ?? []).find((p) => p.key === 'gruvision')?.value;
  const meta = metaText ? parseMetadataJson(metaText, file) : undefined;

  const constants = new Map<string, OnnxTensorProto>();
  for (const t of graph.initializer ?? []) constants.set(t.name ?? '', t);
  const producer: OnnxProducers = new Map();
  nodes.forEach((node, index) => {
    if (node.domain && node.domain !== 'ai.onnx') {
      fail(
        'UNSUPPORTED_OP',
        file,
        `${nodeLabel(node, index)} is from the operator domain ${JSON.stringify(node.domain)}; gruvision maps only standard ONNX operators.`,
      );
    }
    (node.output ?? []).forEach((name, output) => {
      if (name) producer.set(name, { node, index, output });
    });
    if (node.opType === 'Constant') {
      const value = attributes(node).get('value')?.t;
      if (value) constants.set(node.output?.[0] ?? '', value);
    }
  });
  const constant = (
    name: string,
    what: string,
    node: OnnxNodeProto,
    index: number,
  ): Float32Array & { dims?: number[] } => {
    const t = constants.get(name);
    if (!t)
      fail(
        'UNSUPPORTED_OP',
        file,
        `${nodeLabel(node, index)}: ${what} (${JSON.stringify(name)}) is computed in the graph, not stored; gruvision needs it as an initializer.`,
      );
    return tensorFloats(t, file, `${what} of ${nodeLabel(node, index)}`);
  };
  const dimsOf = (name: string): number[] => (constants.get(name)?.dims ?? []).map(Number);
  const tensors: OnnxGraphIndex = { file, constants, producer, constant, dimsOf };

  // Classify every node.
  const rnn: { node: OnnxNodeProto; index: number }[] = [];
  const heads: { node: OnnxNodeProto; index: number }[] = [];
  let softmax: { node: OnnxNodeProto; index: number } | undefined;
  let headBias: { node: OnnxNodeProto; index: number } | undefined;
  nodes.forEach((node, index) => {
    const op = node.opType ?? '';
    if (RNN_OPS[op]) {
      if (heads.length > 0)
        fail(
          'UNSUPPORTED_OP',
          file,
          `${nodeLabel(node, index)} comes after the dense head; gruvision models end with one dense layer.`,
        );
      rnn.push({ node, index });
    } else if (op === 'Gemm' || op === 'MatMul') {
      if (rnn.length === 0)
        fail(
          'UNSUPPORTED_OP',
          file,
          `${nodeLabel(node, index)} comes before any recurrent layer; gruvision models start with GRU/LSTM/RNN layers.`,
        );
      if (heads.length > 0)
        fail(
          'UNSUPPORTED_OP',
          file,
          `${nodeLabel(node, index)} is a second dense layer; gruvision models have one dense head after the recurrent layers.`,
        );
      heads.push({ node, index });
    } else if (op === 'Add' && heads.length === 1 && heads[0]!.node.opType === 'MatMul' && !headBias) {
      headBias = { node, index };
    } else if (op === 'Softmax' && heads.length === 1 && !softmax) {
      const axis = Number(attributes(node).get('axis')?.i ?? -1);
      if (axis !== -1 && axis !== 1)
        fail('UNSUPPORTED_OP', file, `${nodeLabel(node, index)} normalizes axis ${axis}, not the classes.`);
      softmax = { node, index };
    } else if (PLUMBING.has(op) && !(softmax && op !== 'Identity')) {
      // data movement only
    } else if (meta && rnn.length === 0 && OWN_PREPROCESSING.has(op)) {
      // gruvision's own view scaling (the metadata's view says the same)
    } else {
      fail(
        'UNSUPPORTED_OP',
        file,
        `${nodeLabel(node, index)} cannot be mapped to a gruvision model (a recurrent stack, one dense head, an optional softmax). ` +
          'Export the network without it, or import its weights as safetensors.',
      );
    }
  });
  if (rnn.length === 0)
    fail(
      'UNSUPPORTED_OP',
      file,
      'has no GRU, LSTM or RNN node; it is not a recurrent classifier gruvision can import.',
    );
  if (heads.length === 0)
    fail('UNSUPPORTED_OP', file, 'has no dense head (Gemm or MatMul) after its recurrent layers.');

  const layers = rnn.map((_, li) => readRecurrentLayer(tensors, rnn, li));

  // What each layer reads: the graph input (layer 0) or the previous layer's sequence, through shape-only
  // ops. gruvision's own export (with its metadata) also gathers, scales and reverses here: the spec says so.
  if (!meta) {
    const dataInput = (graph.input ?? []).find((i) => !constants.has(i.name ?? ''))?.name ?? '';
    const SHAPE_ONLY = new Set([
      'Transpose',
      'Reshape',
      'Squeeze',
      'Unsqueeze',
      'Identity',
      'Cast',
      'Flatten',
    ]);
    rnn.forEach(({ node, index }, li) => {
      let name = node.input?.[0] ?? '';
      for (let hops = 0; hops < 64; hops++) {
        const p = producer.get(name);
        if (!p) break;
        if (RNN_OPS[p.node.opType ?? '']) break;
        if (!SHAPE_ONLY.has(p.node.opType ?? '')) {
          fail(
            'UNSUPPORTED_OP',
            file,
            `${nodeLabel(p.node, p.index)} changes the sequence that ${nodeLabel(node, index)} reads (gruvision feeds each layer the whole previous sequence in order). ` +
              'Export the network without it.',
          );
        }
        name = p.node.input?.[0] ?? '';
      }
      const source = producer.get(name);
      const expected = li === 0 ? undefined : rnn[li - 1]!.node;
      const okSource =
        li === 0
          ? !source && name === dataInput
          : source !== undefined && source.node === expected && source.output === 0;
      if (!okSource) {
        fail(
          'UNSUPPORTED_OP',
          file,
          `${nodeLabel(node, index)} does not read ${li === 0 ? 'the graph input' : "the previous recurrent layer's output sequence"}; gruvision stacks its layers in order.`,
        );
      }
    });
  }

  const { kernel, bias, classes } = readDenseHead(tensors, rnn, layers, heads[0]!, headBias);
  return assembleModel(layers, kernel, bias, classes, meta, options, file, graphInputSteps(graph, constants));
}

/** Time steps of a `[batch, T, F]` graph input, when static. */
function graphInputSteps(
  graph: NonNullable<OnnxModel['graph']>,
  constants: Map<string, OnnxTensorProto>,
): number | undefined {
  const input = (graph.input ?? []).find((i) => !constants.has(i.name ?? ''));
  const dims = input?.type?.tensorType?.shape?.dim ?? [];
  if (dims.length !== 3) return undefined;
  const t = Number(dims[1]?.dimValue ?? 0);
  return t > 0 ? t : undefined;
}
