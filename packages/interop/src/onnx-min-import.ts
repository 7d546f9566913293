// Reading back gruvision's own ONNX export of minGRU / minLSTM models (the Scan graphs of onnx-min-cells.ts).
import type { NamedWeight } from '@gruvision/math';
import { isMinCell, resolveLayers } from '@gruvision/math';
import type { ImportOptions } from './assemble-model';
import { GruInteropError, type GruInteropErrorCode } from './errors';
import type { InteropModel } from './model';
import { checkModel, parseMetadataJson } from './model';
import { modelToOnnx } from './onnx-export';
import { onnx } from './onnx-proto';
import { decodeOnnx, tensorFloats } from './onnx-tensors';

function fail(code: GruInteropErrorCode, file: string, problem: string): never {
  throw new GruInteropError(code, `${file}: ${problem}`, { file });
}

function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

/** Whether the ONNX model `bytes` holds a `Scan` node (as gruvision's export of minGRU / minLSTM layers does). */
export function onnxHasScan(
  bytes: Uint8Array,
  options: Pick<ImportOptions, 'file' | 'maxBytes'> = {},
): boolean {
  const model = decodeOnnx(bytes, options.file ?? 'model.onnx', options.maxBytes);
  return (model.graph?.node ?? []).some((n) => n.opType === 'Scan');
}

/**
 * A model whose recurrent layers are all `mingru` / `minlstm`, from the ONNX file gruvision's
 * `modelToOnnx` wrote for it. A `Scan` body can compute anything, so this reads only gruvision's own
 * graphs: the spec, view and input from the `gruvision` metadata (options override them as in
 * `modelFromOnnx`), the weights from the initializers the exporter names (`layer{i}_d{d}_kernel` /
 * `_bias`, `dense_kernel` / `dense_bias`), then it writes the model again and requires the same graph,
 * node for node and weight for weight; anything else is refused with a `GruInteropError` naming the file.
 * Models that mix the minimal cells with GRU / LSTM / SimpleRNN layers are refused (`UNSUPPORTED_MODEL`).
 */
export function modelFromOnnxScan(bytes: Uint8Array, options: ImportOptions = {}): InteropModel {
  const file = options.file ?? 'model.onnx';
  const proto = decodeOnnx(bytes, file, options.maxBytes);
  const metaText = (proto.metadataProps ?? []).find((p) => p.key === 'gruvision')?.value;
  if (!metaText) {
    fail(
      'UNSUPPORTED_OP',
      file,
      'holds Scan nodes but no "gruvision" metadata. gruvision reads a Scan only from its own export of ' +
        'minGRU / minLSTM models (a Scan body can compute anything); export the model with gruvision.',
    );
  }
  const meta = parseMetadataJson(metaText, file);
  const layers = resolveLayers(meta.spec);
  const mixed = layers.find((l) => !isMinCell(l.cell));
  if (mixed) {
    fail(
      'UNSUPPORTED_MODEL',
      file,
      `layer ${mixed.index} is a ${mixed.cell}: importing ONNX files that mix ${mixed.cell} with mingru / minlstm ` +
        'layers is not supported. Keep the gruvision model folder for such models.',
    );
  }
  const inits = new Map((proto.graph!.initializer ?? []).map((t) => [t.name ?? '', t] as const));
  const read = (tensor: string, name: string): NamedWeight => {
    const t = inits.get(tensor);
    if (!t) {
      fail(
        'UNKNOWN_TENSOR',
        file,
        `has no initializer ${JSON.stringify(tensor)} (weight ${name}); it was not written by gruvision's export. Export it again.`,
      );
    }
    return {
      name,
      shape: (t.dims ?? []).map(Number),
      values: tensorFloats(t, file, `initializer ${tensor}`),
    };
  };
  const weights: NamedWeight[] = layers.flatMap((layer) =>
    layer.directions.flatMap((names, d) => [
      read(`layer${layer.index}_d${d}_kernel`, names.kernel),
      read(`layer${layer.index}_d${d}_bias`, names.bias),
    ]),
  );
  weights.push(read('dense_kernel', 'dense/kernel'), read('dense_bias', 'dense/bias'));
  const model: InteropModel = {
    spec: meta.spec,
    weights,
    input: options.input ? { ...options.input, channels: options.input.channels ?? 1 } : meta.input,
    view: options.view ?? meta.view,
    classNames: options.classNames ?? meta.classNames,
    preprocess: options.preprocess ?? meta.preprocess,
    ...(meta.seed === undefined ? {} : { seed: meta.seed }),
    ...(meta.training === undefined ? {} : { training: meta.training }),
  };
  const checked = checkModel(model, file);
  const expected = onnx.ModelProto.decode(modelToOnnx(model, { file })).graph!;
  const same = (
    a: object | null | undefined,
    b: object | null | undefined,
    type: 'NodeProto' | 'GraphProto',
  ) => a != null && b != null && equalBytes(onnx[type].encode(a).finish(), onnx[type].encode(b).finish());
  const given = proto.graph!;
  const nodes = given.node ?? [];
  const wanted = expected.node ?? [];
  const differs = wanted.findIndex((n, i) => !same(n, nodes[i], 'NodeProto'));
  if (differs >= 0 || nodes.length !== wanted.length || !same(given, expected, 'GraphProto')) {
    const node = nodes[differs];
    const where =
      differs < 0
        ? nodes.length !== wanted.length
          ? `it has ${nodes.length} nodes, gruvision writes ${wanted.length}`
          : 'its inputs, outputs or initializers differ'
        : !node
          ? `node #${differs} is missing`
          : node.opType === wanted[differs]!.opType
            ? `node #${differs} (${node.opType} ${JSON.stringify(node.name)}) has other inputs, outputs or attributes`
            : `node #${differs} is a ${node.opType}, gruvision writes a ${wanted[differs]!.opType}`;
    fail(
      'UNSUPPORTED_OP',
      file,
      `is not the graph gruvision writes for the model its metadata describes: ${where}. ` +
        'The file was edited or written by another tool; export the model again with gruvision.',
    );
  }
  return { ...model, weights: checked };
}
