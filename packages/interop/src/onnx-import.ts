import type { CellType, ModelSpec, NamedWeight, RecurrentLayerSpec } from '@gruvision/math';
import { resolveLayers } from '@gruvision/math';
import { GruInteropError, type GruInteropErrorCode } from './errors';
import { ONNX_GATE_ORDER, orderToBias, rowsToKernel, transpose2d } from './gate-order';
import type { OnnxActivation } from './gates';
import { gateActivationName } from './gates';
import type { InteropInputShape, InteropModel, InteropView, ParsedMetadata } from './model';
import { checkModel, parseMetadataJson, viewShape } from './model';
import type { OnnxAttributeProto, OnnxNodeProto, OnnxTensorProto } from './onnx-proto';
import { onnx } from './onnx-proto';

/** Options of the importers: what a file without gruvision metadata cannot say. */
export interface ImportOptions {
  /** Name used in error messages. */
  readonly file?: string;
  /** Input images. Default: from the metadata; else rows of the graph's time steps, one channel. */
  readonly input?: { readonly height: number; readonly width: number; readonly channels?: number };
  /** Default: from the metadata; else `{ mode: 'rows' }` (pixels scaled to [0, 1]). */
  readonly view?: InteropView;
  /** Default: from the metadata; else `0`, `1`, … */
  readonly classNames?: readonly string[];
  /** Default: from the metadata; else `'none'`. */
  readonly preprocess?: 'mnist' | 'none';
  /** Largest accepted file, in bytes. Default 1 GiB. */
  readonly maxBytes?: number;
}

export const DEFAULT_MAX_IMPORT_BYTES = 1024 * 1024 * 1024;

/** One recurrent layer read from a file: its spec and its weights in the canonical layout, per direction. */
export interface ImportedLayer {
  readonly cell: CellType;
  readonly units: number;
  readonly inputSize: number;
  readonly bidirectional: boolean;
  readonly resetAfter: boolean;
  readonly recurrentActivation: string;
  /** Per direction: Keras kernel `[I, g·u]`, recurrent kernel `[u, g·u]`, bias `[g·u]` or `[2, 3u]`. */
  readonly directions: readonly { kernel: Float32Array; recurrentKernel: Float32Array; bias: Float32Array }[];
}

const RNN_OPS: Record<string, CellType> = { GRU: 'gru', LSTM: 'lstm', RNN: 'simpleRnn' };
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
const PARAMETRIC = new Set(['hardsigmoid', 'affine', 'leakyrelu', 'thresholdedrelu', 'scaledtanh', 'elu']);
const decoder = new TextDecoder();

function fail(code: GruInteropErrorCode, file: string, problem: string): never {
  throw new GruInteropError(code, `${file}: ${problem}`, { file });
}

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
  let values: Float32Array;
  if (tensor.dataType === T.FLOAT) {
    if (raw) {
      if (raw.length !== count * 4)
        fail(
          'SHAPE_MISMATCH',
          file,
          `${what} holds ${raw.length} bytes for ${count} float32 values. The file is damaged.`,
        );
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat32(i * 4, true);
    } else values = Float32Array.from(tensor.floatData ?? []);
  } else if (tensor.dataType === T.DOUBLE) {
    if (raw) {
      if (raw.length !== count * 8)
        fail(
          'SHAPE_MISMATCH',
          file,
          `${what} holds ${raw.length} bytes for ${count} float64 values. The file is damaged.`,
        );
      const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
      values = new Float32Array(count);
      for (let i = 0; i < count; i++) values[i] = view.getFloat64(i * 8, true);
    } else values = Float32Array.from(tensor.doubleData ?? []);
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

function attributes(node: OnnxNodeProto): Map<string, OnnxAttributeProto> {
  return new Map((node.attribute ?? []).map((a) => [a.name ?? '', a]));
}

function nodeLabel(node: OnnxNodeProto, index: number): string {
  return `node ${node.name ? JSON.stringify(node.name) : `#${index}`} (${node.opType})`;
}

/** Decodes ONNX bytes; throws `INVALID_FILE` / `TOO_LARGE` naming `file`. */
export function decodeOnnx(
  bytes: Uint8Array,
  file: string,
  maxBytes = DEFAULT_MAX_IMPORT_BYTES,
): onnxProtoModel {
  if (!(bytes instanceof Uint8Array))
    fail('INVALID_ARGUMENT', file, 'expected the bytes of the file (a Uint8Array).');
  if (bytes.length > maxBytes)
    fail(
      'TOO_LARGE',
      file,
      `is ${bytes.length} bytes, more than the ${maxBytes} allowed. Raise the limit only for files you trust.`,
    );
  if (bytes.length === 0) fail('INVALID_FILE', file, 'is empty. Export the model again.');
  let model: onnxProtoModel;
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
type onnxProtoModel = ReturnType<typeof onnx.ModelProto.decode>;

/**
 * A classifier exported by `torch.onnx.export` from `nn.GRU` / `nn.LSTM` / `nn.RNN` (batch_first, one
 * or more layers, bidirectional or not, an `nn.Linear` head, with or without a final softmax) — or by
 * gruvision's own `modelToOnnx` — as a gruvision model. The recurrent layers are read from the ONNX
 * `GRU` / `LSTM` / `RNN` nodes, the head from `Gemm` (or `MatMul` + `Add`); a graph that does anything
 * else gets a `GruInteropError` naming the node and its op.
 */
export function modelFromOnnx(bytes: Uint8Array, options: ImportOptions = {}): InteropModel {
  const file = options.file ?? 'model.onnx';
  const model = decodeOnnx(bytes, file, options.maxBytes);
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const metaText = (model.metadataProps ?? []).find((p) => p.key === 'gruvision')?.value;
  const meta = metaText ? parseMetadataJson(metaText, file) : undefined;

  const constants = new Map<string, OnnxTensorProto>();
  for (const t of graph.initializer ?? []) constants.set(t.name ?? '', t);
  const producer = new Map<string, { node: OnnxNodeProto; index: number; output: number }>();
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

  // Recurrent layers.
  const isZeroState = (name: string): boolean => {
    if (!name) return true;
    const c = constants.get(name);
    if (c) return tensorFloats(c, file, name).every((v) => v === 0);
    const p = producer.get(name);
    if (!p) return false;
    const op = p.node.opType;
    if (op === 'ConstantOfShape') {
      const v = attributes(p.node).get('value')?.t;
      return v == null || tensorFloats(v, file, 'ConstantOfShape value').every((x) => x === 0);
    }
    if (
      ['Slice', 'Expand', 'Reshape', 'Unsqueeze', 'Squeeze', 'Identity', 'Cast', 'Transpose'].includes(
        op ?? '',
      )
    ) {
      return isZeroState(p.node.input?.[0] ?? '');
    }
    if (op === 'Concat') return (p.node.input ?? []).every(isZeroState);
    return false;
  };
  const layers: ImportedLayer[] = rnn.map(({ node, index }, li) => {
    const label = nodeLabel(node, index);
    const cell = RNN_OPS[node.opType!]!;
    const a = attributes(node);
    const str = (n: string) => (a.get(n)?.s ? decoder.decode(a.get(n)!.s!) : undefined);
    const unsupported = (problem: string): never => fail('UNSUPPORTED_OP', file, `${label}: ${problem}`);
    const direction = str('direction') ?? 'forward';
    if (direction === 'reverse')
      unsupported('direction "reverse" alone is not supported; export a forward or bidirectional layer.');
    if (direction !== 'forward' && direction !== 'bidirectional')
      unsupported(`unknown direction ${JSON.stringify(direction)}.`);
    if (a.get('clip')) unsupported('cell clipping (clip) has no gruvision equivalent.');
    if (Number(a.get('input_forget')?.i ?? 0) !== 0)
      unsupported('coupled input-forget gates (input_forget=1) have no gruvision equivalent.');
    if (Number(a.get('layout')?.i ?? 0) !== 0)
      unsupported('layout=1 (batch-major) is not supported; export with the default layout.');
    const inputs = node.input ?? [];
    if (inputs[4])
      unsupported('sequence_lens (variable-length sequences) is not supported; gruvision reads every step.');
    if (cell === 'lstm' && inputs[7]) unsupported('peephole weights (P) have no gruvision equivalent.');
    if (!isZeroState(inputs[5] ?? '') || !isZeroState(inputs[6] ?? '')) {
      unsupported('the initial state is not zero; gruvision starts every sequence from a zero state.');
    }
    const D = direction === 'bidirectional' ? 2 : 1;
    const u = Number(a.get('hidden_size')?.i ?? 0);
    const W = constant(inputs[1] ?? '', 'W', node, index);
    const R = constant(inputs[2] ?? '', 'R', node, index);
    const wd = dimsOf(inputs[1] ?? '');
    const g = cell === 'gru' ? 3 : cell === 'lstm' ? 4 : 1;
    if (wd.length !== 3 || wd[0] !== D || (u > 0 && wd[1] !== g * u)) {
      fail(
        'SHAPE_MISMATCH',
        file,
        `${label}: W has dims [${wd.join(', ')}], expected [${D}, ${g}·hidden_size, input_size].`,
      );
    }
    const units = u > 0 ? u : wd[1]! / g;
    const I = wd[2]!;
    if (R.length !== D * g * units * units)
      fail(
        'SHAPE_MISMATCH',
        file,
        `${label}: R has ${R.length} values, expected [${D}, ${g * units}, ${units}].`,
      );
    const B = inputs[3] ? constant(inputs[3], 'B', node, index) : new Float32Array(D * 2 * g * units);
    if (B.length !== D * 2 * g * units)
      fail('SHAPE_MISMATCH', file, `${label}: B has ${B.length} values, expected [${D}, ${2 * g * units}].`);
    // Activations, per direction.
    const defaults =
      cell === 'gru' ? ['Sigmoid', 'Tanh'] : cell === 'lstm' ? ['Sigmoid', 'Tanh', 'Tanh'] : ['Tanh'];
    const names = (a.get('activations')?.strings ?? []).map((s) => decoder.decode(s));
    const acts = names.length > 0 ? names : Array.from({ length: D }, () => defaults).flat();
    if (acts.length !== defaults.length * D)
      unsupported(`lists ${acts.length} activations, expected ${defaults.length * D}.`);
    const alphas = [...(a.get('activation_alpha')?.floats ?? [])];
    const betas = [...(a.get('activation_beta')?.floats ?? [])];
    const parsed: OnnxActivation[] = acts.map((name) => {
      const lower = name.toLowerCase();
      if (!PARAMETRIC.has(lower)) return { name: name as OnnxActivation['name'] };
      const alpha = alphas.shift() ?? (lower === 'hardsigmoid' ? 0.2 : undefined);
      const beta = betas.shift() ?? (lower === 'hardsigmoid' ? 0.5 : undefined);
      return {
        name: name as OnnxActivation['name'],
        ...(alpha !== undefined ? { alpha } : {}),
        ...(beta !== undefined ? { beta } : {}),
      };
    });
    let recurrentActivation = 'sigmoid';
    for (let d = 0; d < D; d++) {
      const group = parsed.slice(d * defaults.length, (d + 1) * defaults.length);
      const [f, ...rest] = group;
      if (cell === 'simpleRnn') {
        if (f!.name.toLowerCase() !== 'tanh')
          unsupported(`activation ${f!.name} is not supported; gruvision's SimpleRNN uses Tanh.`);
        continue;
      }
      if (rest.some((x) => x.name.toLowerCase() !== 'tanh'))
        unsupported(`activations ${acts.join(', ')}: the candidate/output activations must be Tanh.`);
      const gate = gateActivationName({
        ...f!,
        name: (f!.name.toLowerCase() === 'sigmoid'
          ? 'Sigmoid'
          : f!.name.toLowerCase() === 'hardsigmoid'
            ? 'HardSigmoid'
            : f!.name) as OnnxActivation['name'],
      });
      if (gate === undefined) {
        unsupported(
          `gate activation ${f!.name}${f!.alpha !== undefined ? ` (alpha ${f!.alpha}, beta ${f!.beta})` : ''} has no gruvision equivalent (sigmoid, or hardSigmoid 0.2x + 0.5).`,
        );
      }
      if (d > 0 && gate !== recurrentActivation)
        unsupported('the two directions use different gate activations.');
      recurrentActivation = gate!;
    }
    const resetAfter = cell === 'gru' && Number(a.get('linear_before_reset')?.i ?? 0) === 1;
    const order = ONNX_GATE_ORDER[cell];
    const G = g * units;
    const directions = Array.from({ length: D }, (_, d) => {
      const Wb = B.subarray(d * 2 * G, d * 2 * G + G);
      const Rb = B.subarray(d * 2 * G + G, (d + 1) * 2 * G);
      let bias: Float32Array;
      if (resetAfter) {
        bias = new Float32Array(2 * G);
        bias.set(orderToBias(Wb, units, order), 0);
        bias.set(orderToBias(Rb, units, order), G);
      } else {
        // Reset-before GRU, LSTM, RNN: the recurrent bias is added next to the input bias, so they sum.
        const sum = new Float32Array(G);
        for (let i = 0; i < G; i++) sum[i] = Wb[i]! + Rb[i]!;
        bias = orderToBias(sum, units, order);
      }
      return {
        kernel: rowsToKernel(W.subarray(d * G * I, (d + 1) * G * I), I, units, order),
        recurrentKernel: rowsToKernel(R.subarray(d * G * units, (d + 1) * G * units), units, units, order),
        bias,
      };
    });
    if (li > 0) {
      const prev = rnn[li - 1]!;
      const prevD = attributes(prev.node).get('direction')?.s
        ? decoder.decode(attributes(prev.node).get('direction')!.s!) === 'bidirectional'
          ? 2
          : 1
        : 1;
      const prevU =
        Number(attributes(prev.node).get('hidden_size')?.i ?? 0) || dimsOf(prev.node.input?.[2] ?? '')[2]!;
      if (I !== prevD * prevU)
        fail(
          'SHAPE_MISMATCH',
          file,
          `${label}: reads ${I} features per step, but the layer before it gives ${prevD * prevU}.`,
        );
    }
    return { cell, units, inputSize: I, bidirectional: D === 2, resetAfter, recurrentActivation, directions };
  });

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

  // What the head reads: the last recurrent layer's final state (Y_h), or Y of a unidirectional one.
  const lastRnn = rnn[rnn.length - 1]!;
  const head = heads[0]!;
  const lastLayer = layers[layers.length - 1]!;
  const features = traceHeadInput(head.node.input?.[0] ?? '', producer, constants, rnn, layers);
  const headLabel0 = nodeLabel(head.node, head.index);
  const advice =
    'gruvision reads the final state of the last layer: feed the head h_n[-1] (or out[:, -1, :] when unidirectional), ' +
    'or torch.cat((h_n[-2], h_n[-1]), dim=1) when bidirectional, and export again.';
  if (features.kind === 'sequence' && lastLayer.bidirectional && features.node === lastRnn.node) {
    fail(
      'UNSUPPORTED_OP',
      file,
      `${headLabel0}: the head reads the output sequence (Y) of the bidirectional ${nodeLabel(lastRnn.node, lastRnn.index)}, ` +
        'e.g. out[:, -1, :], where the backward direction has seen one step only. ' +
        advice,
    );
  }
  const want = lastLayer.bidirectional ? [0, 1] : [0];
  const ok =
    features.kind === 'features' &&
    features.blocks.length === want.length &&
    features.blocks.every((b, i) => b.node === lastRnn.node && b.direction === want[i]);
  if (!ok) {
    const why =
      features.kind === 'unknown'
        ? `cannot tell which hidden states it reads (${features.why})`
        : features.kind === 'features'
          ? `reads ${features.blocks.map((b) => `layer ${rnn.findIndex((r) => r.node === b.node)} ${b.direction === 0 ? 'forward' : 'backward'}`).join(' + ')}`
          : `reads ${features.kind === 'sequence' ? 'a whole output sequence' : 'stacked states'}, not one step`;
    fail('UNSUPPORTED_OP', file, `${headLabel0}: the dense head ${why}. ${advice}`);
  }

  // Dense head.
  const hidden = lastLayer.units * (lastLayer.bidirectional ? 2 : 1);
  let kernel: Float32Array;
  let bias: Float32Array;
  let classes: number;
  const hn = head.node;
  const headLabel = nodeLabel(hn, head.index);
  if (hn.opType === 'Gemm') {
    const a = attributes(hn);
    if (Number(a.get('transA')?.i ?? 0) !== 0)
      fail('UNSUPPORTED_OP', file, `${headLabel}: transA=1 is not a dense layer over the features.`);
    const alpha = a.get('alpha')?.f ?? 1;
    const beta = a.get('beta')?.f ?? 1;
    const transB = Number(a.get('transB')?.i ?? 0) === 1;
    const b = constant(hn.input?.[1] ?? '', 'the weight (B)', hn, head.index);
    const bd = dimsOf(hn.input?.[1] ?? '');
    if (bd.length !== 2 || (transB ? bd[1] : bd[0]) !== hidden) {
      fail(
        'SHAPE_MISMATCH',
        file,
        `${headLabel}: weight dims [${bd.join(', ')}] do not take the ${hidden} features of the last recurrent layer.`,
      );
    }
    classes = transB ? bd[0]! : bd[1]!;
    kernel = transB ? transpose2d(b, classes, hidden) : Float32Array.from(b);
    for (let i = 0; i < kernel.length; i++) kernel[i]! *= alpha;
    bias = hn.input?.[2] ? constant(hn.input[2], 'the bias (C)', hn, head.index) : new Float32Array(classes);
    bias = bias.map((v) => v * beta);
  } else {
    const b = constant(hn.input?.[1] ?? '', 'the weight', hn, head.index);
    const bd = dimsOf(hn.input?.[1] ?? '');
    if (bd.length !== 2 || bd[0] !== hidden) {
      fail(
        'SHAPE_MISMATCH',
        file,
        `${headLabel}: weight dims [${bd.join(', ')}] do not take the ${hidden} features of the last recurrent layer.`,
      );
    }
    classes = bd[1]!;
    kernel = Float32Array.from(b);
    if (headBias) {
      const other = (headBias.node.input ?? []).find((n) => n !== hn.output?.[0]) ?? '';
      bias = constant(other, 'the head bias', headBias.node, headBias.index);
    } else bias = new Float32Array(classes);
  }
  if (bias.length !== classes)
    fail('SHAPE_MISMATCH', file, `${headLabel}: bias has ${bias.length} values for ${classes} classes.`);
  if (classes < 2)
    fail('SHAPE_MISMATCH', file, `${headLabel}: ${classes} class; a classifier needs at least 2.`);

  return assembleModel(layers, kernel, bias, classes, meta, options, file, graphInputSteps(graph, constants));
}

/** Time steps of a `[batch, T, F]` graph input, when static. */
function graphInputSteps(
  graph: NonNullable<onnxProtoModel['graph']>,
  constants: Map<string, OnnxTensorProto>,
): number | undefined {
  const input = (graph.input ?? []).find((i) => !constants.has(i.name ?? ''));
  const dims = input?.type?.tensorType?.shape?.dim ?? [];
  if (dims.length !== 3) return undefined;
  const t = Number(dims[1]?.dimValue ?? 0);
  return t > 0 ? t : undefined;
}

/**
 * Builds the model from layers read from a file: the spec from the metadata (checked against the
 * layers) or from the layers and the options; weights under the canonical names.
 */
export function assembleModel(
  layers: readonly ImportedLayer[],
  denseKernel: Float32Array,
  denseBias: Float32Array,
  classes: number,
  meta: ParsedMetadata | undefined,
  options: ImportOptions,
  file: string,
  stepsHint?: number,
): InteropModel {
  let spec: ModelSpec;
  if (meta) {
    spec = meta.spec;
    const specLayers = Array.isArray(spec.layers) ? spec.layers : [];
    if (specLayers.length !== layers.length) {
      fail(
        'SHAPE_MISMATCH',
        file,
        `the gruvision metadata lists ${specLayers.length} recurrent layers, the weights hold ${layers.length}. The file was edited; export it again.`,
      );
    }
    layers.forEach((l, i) => {
      const s = specLayers[i]!;
      const same =
        s.cell === l.cell &&
        s.units === l.units &&
        (s.bidirectional ?? false) === l.bidirectional &&
        (l.cell !== 'gru' || (s.resetAfter ?? false) === l.resetAfter) &&
        (l.cell === 'simpleRnn' || (s.recurrentActivation ?? 'sigmoid') === l.recurrentActivation);
      if (!same) {
        fail(
          'SHAPE_MISMATCH',
          file,
          `recurrent layer ${i} is a ${l.bidirectional ? 'bidirectional ' : ''}${l.cell} of ${l.units} units, but the gruvision metadata describes ${JSON.stringify(s)}. The file was edited; export it again.`,
        );
      }
    });
    if (spec.classes !== classes)
      fail(
        'SHAPE_MISMATCH',
        file,
        `the head has ${classes} classes, the gruvision metadata ${spec.classes}.`,
      );
  } else {
    const first = layers[0]!;
    const specLayers: RecurrentLayerSpec[] = layers.map((l) => ({
      cell: l.cell,
      units: l.units,
      ...(l.cell === 'gru' ? { resetAfter: l.resetAfter } : {}),
      ...(l.cell !== 'simpleRnn' ? { recurrentActivation: l.recurrentActivation as 'sigmoid' } : {}),
      ...(l.bidirectional ? { bidirectional: true } : {}),
    }));
    spec = { timeSteps: 0, features: first.inputSize, classes, layers: specLayers };
  }
  const view: InteropView = options.view ?? meta?.view ?? { mode: 'rows' };
  let input: InteropInputShape;
  if (options.input) {
    input = {
      height: options.input.height,
      width: options.input.width,
      channels: options.input.channels ?? 1,
    };
  } else if (meta) {
    input = meta.input;
  } else {
    // A sequence model without metadata: rows of `features` pixels, as many rows as the graph says (else square).
    const F = spec.features;
    input =
      view.mode === 'rows'
        ? { height: stepsHint ?? F, width: F, channels: 1 }
        : { height: F, width: F, channels: 1 };
  }
  const shape = viewShape(view, input, `${file}: view`);
  if (shape.features !== spec.features) {
    fail(
      'SHAPE_MISMATCH',
      file,
      `the ${view.mode} view of ${input.height}×${input.width}×${input.channels} images gives ${shape.features} features per step, but the first recurrent layer reads ${spec.features}. ` +
        'Pass the input size the model was trained on (--input HxW) and its view (--view).',
    );
  }
  if (!meta) spec = { ...spec, timeSteps: shape.timeSteps };
  else if (shape.timeSteps !== spec.timeSteps) {
    fail(
      'SHAPE_MISMATCH',
      file,
      `the view gives ${shape.timeSteps} time steps, the gruvision metadata ${spec.timeSteps}.`,
    );
  }
  const classNames =
    options.classNames ?? meta?.classNames ?? Array.from({ length: classes }, (_, i) => String(i));
  let resolved: ReturnType<typeof resolveLayers>;
  try {
    resolved = resolveLayers(spec);
  } catch (error) {
    return fail('INVALID_FILE', file, `describes an invalid model: ${(error as Error).message}`);
  }
  const weights: NamedWeight[] = [];
  resolved.forEach((r, i) => {
    r.directions.forEach((names, d) => {
      const w = layers[i]!.directions[d]!;
      const g = r.cell === 'gru' ? 3 : r.cell === 'lstm' ? 4 : 1;
      weights.push({ name: names.kernel, shape: [r.inputSize, g * r.units], values: w.kernel });
      weights.push({ name: names.recurrentKernel, shape: [r.units, g * r.units], values: w.recurrentKernel });
      weights.push({
        name: names.bias,
        shape: r.cell === 'gru' && r.resetAfter ? [2, 3 * r.units] : [g * r.units],
        values: w.bias,
      });
    });
  });
  const H = resolved[resolved.length - 1]!.outputSize;
  weights.push({ name: 'dense/kernel', shape: [H, classes], values: denseKernel });
  weights.push({ name: 'dense/bias', shape: [classes], values: denseBias });
  const model: InteropModel = {
    spec,
    weights,
    input,
    view,
    classNames,
    preprocess: options.preprocess ?? meta?.preprocess ?? 'none',
    ...(meta?.seed !== undefined ? { seed: meta.seed } : {}),
    ...(meta?.training !== undefined ? { training: meta.training } : {}),
  };
  return { ...model, weights: checkModel(model, file) };
}

type HeadInput =
  | { kind: 'rows'; rows: { node: OnnxNodeProto; direction: number }[]; transposed: boolean }
  | { kind: 'features'; blocks: { node: OnnxNodeProto; direction: number }[] }
  | { kind: 'sequence'; node: OnnxNodeProto; directions: number }
  | { kind: 'unknown'; why: string };

function tensorInts(t: OnnxTensorProto): number[] {
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

/**
 * Follows the head's input back to the recurrent nodes, tracking which final states (node, direction)
 * it holds and in which order — through the shapes PyTorch and gruvision's own export produce:
 * Y_h → Concat (layers) → Gather (h_n[-1]) → Concat (forward, backward); Y_h → Transpose → Reshape;
 * Y → Squeeze/Transpose → Gather(-1) (`out[:, -1, :]`).
 */
function traceHeadInput(
  name: string,
  producer: Map<string, { node: OnnxNodeProto; index: number; output: number }>,
  constants: Map<string, OnnxTensorProto>,
  rnn: readonly { node: OnnxNodeProto; index: number }[],
  layers: readonly ImportedLayer[],
  depth = 0,
): HeadInput {
  const p = producer.get(name);
  if (!p || depth > 64)
    return { kind: 'unknown', why: `${JSON.stringify(name)} is not computed from a recurrent layer` };
  const { node } = p;
  const op = node.opType ?? '';
  const label = nodeLabel(node, p.index);
  const at = rnn.findIndex((r) => r.node === node);
  if (at >= 0) {
    const D = layers[at]!.bidirectional ? 2 : 1;
    if (p.output === 1)
      return {
        kind: 'rows',
        rows: Array.from({ length: D }, (_, d) => ({ node, direction: d })),
        transposed: false,
      };
    if (p.output === 0) return { kind: 'sequence', node, directions: D };
    return { kind: 'unknown', why: `${label} output ${p.output} is the cell state` };
  }
  const inputs = node.input ?? [];
  const from = (i: number) => traceHeadInput(inputs[i] ?? '', producer, constants, rnn, layers, depth + 1);
  const attr = (n: string) => (node.attribute ?? []).find((a) => a.name === n);
  const ints = (i: number): number[] | undefined => {
    const t = constants.get(inputs[i] ?? '');
    return t ? tensorInts(t) : undefined;
  };
  switch (op) {
    case 'Identity':
    case 'Cast':
      return from(0);
    case 'Squeeze':
    case 'Unsqueeze':
    case 'Reshape':
    case 'Flatten':
    case 'Transpose': {
      const x = from(0);
      if (x.kind === 'sequence' || x.kind === 'features' || x.kind === 'unknown') return x;
      if (op === 'Transpose') return { ...x, transposed: !x.transposed };
      // [D, N, H] → [N, D·H] keeps the direction order only after the transpose; one row needs none.
      if (op === 'Squeeze' || x.transposed || x.rows.length === 1)
        return { kind: 'features', blocks: x.rows };
      return { kind: 'unknown', why: `${label} flattens stacked states without a transpose` };
    }
    case 'Gather': {
      const x = from(0);
      const index = ints(1);
      const axis = Number(attr('axis')?.i ?? 0);
      if (index?.length !== 1) return { kind: 'unknown', why: `${label} gathers computed indices` };
      if (x.kind === 'rows' && axis === 0 && !x.transposed) {
        const i = index[0]! < 0 ? index[0]! + x.rows.length : index[0]!;
        const row = x.rows[i];
        return row
          ? { kind: 'features', blocks: [row] }
          : { kind: 'unknown', why: `${label} index ${index[0]} is out of range` };
      }
      if (x.kind === 'sequence') {
        if (index[0] !== -1)
          return {
            kind: 'unknown',
            why: `${label} reads step ${index[0]} of the sequence, not the last (-1)`,
          };
        if (x.directions !== 1) return x;
        return { kind: 'features', blocks: [{ node: x.node, direction: 0 }] };
      }
      return { kind: 'unknown', why: `${label} gathers along axis ${axis}` };
    }
    case 'Concat': {
      const axis = Number(attr('axis')?.i ?? 0);
      const parts = inputs.map((_, i) => from(i));
      const bad = parts.find((x) => x.kind === 'unknown' || x.kind === 'sequence');
      if (bad) return bad;
      if (parts.every((x) => x.kind === 'rows' && !x.transposed) && axis === 0) {
        return {
          kind: 'rows',
          rows: parts.flatMap((x) => (x.kind === 'rows' ? x.rows : [])),
          transposed: false,
        };
      }
      if (parts.every((x) => x.kind === 'features') && (axis === 1 || axis === -1)) {
        return { kind: 'features', blocks: parts.flatMap((x) => (x.kind === 'features' ? x.blocks : [])) };
      }
      return { kind: 'unknown', why: `${label} concatenates along axis ${axis}` };
    }
    default:
      return { kind: 'unknown', why: `${label} transforms the states` };
  }
}
