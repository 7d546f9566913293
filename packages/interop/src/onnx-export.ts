import type { NamedWeight } from '@gruvision/math';
import { gateCount, isMinCell, resolveLayers } from '@gruvision/math';
import { biasToOrder, kernelToRows, ONNX_GATE_ORDER } from './gate-order';
import { cellActivations, gateActivation } from './gates';
import type { InteropModel } from './model';
import { checkModel, metadataJson, standardUpdateGate, viewGather, viewScale, viewShape } from './model';
import { minLayerToOnnx } from './onnx-min-cells';
import type { OnnxNodeProto, OnnxTensorProto } from './onnx-proto';
import { attr, floatTensor, int64Tensor, onnx } from './onnx-proto';

/** ONNX opset the exporter targets (GRU/LSTM/RNN-14, Scan-16, Softmax-13 on the last axis). */
export const ONNX_OPSET = 17;
/** Name of the graph input: float32 `[batch, height, width, channels]`, 0–255 pixel values. */
export const ONNX_INPUT_NAME = 'pixels';
/** Name of the graph output: float32 `[batch, classes]`, class probabilities. */
export const ONNX_OUTPUT_NAME = 'probabilities';

export interface OnnxExportOptions {
  /** Name used in error messages. Default `model.onnx`. */
  readonly file?: string;
  /** `producer_version` of the model. Default `0.0.0`. */
  readonly producerVersion?: string;
}

const onnxOp: Record<string, string> = { gru: 'GRU', lstm: 'LSTM', simpleRnn: 'RNN' };
const INT64_MIN = -(2n ** 63n);

/**
 * A gruvision model as an ONNX model (bytes of a `ModelProto`). Input `pixels` `[batch, H, W, C]`
 * (0–255, what `GruClassifier.prepare()` gives), the view (gather + permutation) and the normalization
 * inside the graph, the recurrent layers as ONNX `GRU` / `LSTM` / `RNN` operators (`mingru` / `minlstm`:
 * their gates for all steps, then a `Scan` of h = a ⊙ h + b, see `onnx-min-cells.ts`), the dense head as
 * `Gemm`, then `Softmax`: output `probabilities` `[batch, classes]`. Batch is dynamic. The gruvision
 * metadata (spec, view, input, class names, preprocess) is in `metadata_props` under `gruvision`.
 */
export function modelToOnnx(given: InteropModel, options: OnnxExportOptions = {}): Uint8Array {
  const file = options.file ?? 'model.onnx';
  const model = standardUpdateGate(given);
  const weights = new Map(checkModel(model, file).map((w) => [w.name, w] as const));
  const get = (name: string): NamedWeight => weights.get(name)!;
  const { spec, input, view } = model;
  const { timeSteps: T, features: F } = viewShape(view, input);
  const nodes: OnnxNodeProto[] = [];
  const inits: OnnxTensorProto[] = [];
  const node = (
    opType: string,
    inputs: string[],
    outputs: string[],
    attribute: OnnxNodeProto['attribute'] = [],
  ) => {
    nodes.push({
      opType,
      input: inputs,
      output: outputs,
      name: `${outputs.find(Boolean)}_${opType}`,
      attribute,
    });
  };

  // Pixels → [N, T·F] in view order, scaled (and normalized) → [T, N, F].
  node('Flatten', [ONNX_INPUT_NAME], ['flat'], [attr.int('axis', 1)]);
  let current = 'flat';
  const gather = viewGather(view, input);
  if (!gather.every((v, i) => v === i) || gather.length !== input.height * input.width * input.channels) {
    inits.push(int64Tensor('view_gather', [gather.length], gather));
    node('Gather', [current, 'view_gather'], ['viewed'], [attr.int('axis', 1)]);
    current = 'viewed';
  }
  const { scale, shift } = viewScale(view);
  inits.push(floatTensor('view_scale', [], Float32Array.of(scale)));
  inits.push(floatTensor('view_shift', [], Float32Array.of(shift)));
  node('Mul', [current, 'view_scale'], ['scaled']);
  node('Add', ['scaled', 'view_shift'], ['normalized']);
  inits.push(int64Tensor('sequence_shape', [3], [-1, T, F]));
  node('Reshape', ['normalized', 'sequence_shape'], ['sequence_batch_major']);
  node('Transpose', ['sequence_batch_major'], ['sequence'], [attr.ints('perm', [1, 0, 2])]);
  current = 'sequence';

  const layers = resolveLayers(spec);
  if (layers.some((l) => l.goBackwards)) {
    inits.push(int64Tensor('reverse_starts', [1], [-1]));
    inits.push(int64Tensor('reverse_ends', [1], [INT64_MIN]));
    inits.push(int64Tensor('reverse_axes', [1], [0]));
    inits.push(int64Tensor('reverse_steps', [1], [-1]));
  }
  // Shapes the ONNX recurrent operators' outputs are merged with (the Scan of minimal cells needs none).
  const onnxOperator = layers.map((l) => !isMinCell(l.cell));
  if (onnxOperator.slice(0, -1).some(Boolean)) {
    inits.push(int64Tensor('merge_directions_shape', [3], [0, 0, -1]));
  }
  if (onnxOperator.at(-1)) inits.push(int64Tensor('merge_final_shape', [2], [0, -1]));

  layers.forEach((layer, li) => {
    const p = `layer${li}`;
    if (layer.goBackwards) {
      // Keras go_backwards: read the reversed sequence; the returned sequence stays in processing order.
      node(
        'Slice',
        [current, 'reverse_starts', 'reverse_ends', 'reverse_axes', 'reverse_steps'],
        [`${p}_reversed`],
      );
      current = `${p}_reversed`;
    }
    const last = li === layers.length - 1;
    if (isMinCell(layer.cell)) {
      current = minLayerToOnnx({ node, inits }, layer, p, current, last, get);
      return;
    }
    const u = layer.units;
    const I = layer.inputSize;
    const g = gateCount(layer.cell);
    const D = layer.directions.length;
    const order = ONNX_GATE_ORDER[layer.cell];
    const W = new Float32Array(D * g * u * I);
    const R = new Float32Array(D * g * u * u);
    const B = new Float32Array(D * 2 * g * u);
    layer.directions.forEach((names, d) => {
      W.set(kernelToRows(get(names.kernel).values, I, u, order), d * g * u * I);
      R.set(kernelToRows(get(names.recurrentKernel).values, u, u, order), d * g * u * u);
      const bias = get(names.bias).values;
      if (layer.cell === 'gru' && layer.resetAfter) {
        B.set(biasToOrder(bias.subarray(0, g * u), u, order), d * 2 * g * u);
        B.set(biasToOrder(bias.subarray(g * u), u, order), d * 2 * g * u + g * u);
      } else {
        B.set(biasToOrder(bias, u, order), d * 2 * g * u);
      }
    });
    inits.push(floatTensor(`${p}_W`, [D, g * u, I], W));
    inits.push(floatTensor(`${p}_R`, [D, g * u, u], R));
    inits.push(floatTensor(`${p}_B`, [D, 2 * g * u], B));
    const gate = gateActivation(layer.recurrentActivation, `${file}: layer ${li} (${layer.name})`);
    const acts = Array.from({ length: D }, () => cellActivations(layer.cell, gate)).flat();
    const attributes = [
      attr.int('hidden_size', u),
      attr.string('direction', D === 2 ? 'bidirectional' : 'forward'),
      attr.strings(
        'activations',
        acts.map((a) => a.name),
      ),
    ];
    const alphas = acts.filter((a) => a.alpha !== undefined);
    if (alphas.length > 0) {
      attributes.push(
        attr.floats(
          'activation_alpha',
          alphas.map((a) => a.alpha!),
        ),
      );
      attributes.push(
        attr.floats(
          'activation_beta',
          alphas.map((a) => a.beta!),
        ),
      );
    }
    if (layer.cell === 'gru') attributes.push(attr.int('linear_before_reset', layer.resetAfter ? 1 : 0));
    node(
      onnxOp[layer.cell]!,
      [current, `${p}_W`, `${p}_R`, `${p}_B`],
      last ? ['', `${p}_Y_h`] : [`${p}_Y`],
      attributes,
    );
    if (last) {
      // Y_h [D, N, u] → [N, D·u] (forward then backward, as Keras concatenates).
      node('Transpose', [`${p}_Y_h`], [`${p}_final_nd`], [attr.ints('perm', [1, 0, 2])]);
      node('Reshape', [`${p}_final_nd`, 'merge_final_shape'], [`${p}_final`]);
      current = `${p}_final`;
    } else {
      // Y [T, D, N, u] → [T, N, D·u].
      node('Transpose', [`${p}_Y`], [`${p}_Y_tnd`], [attr.ints('perm', [0, 2, 1, 3])]);
      node('Reshape', [`${p}_Y_tnd`, 'merge_directions_shape'], [`${p}_out`]);
      current = `${p}_out`;
    }
  });

  const kernel = get('dense/kernel');
  inits.push(floatTensor('dense_kernel', [...kernel.shape], kernel.values));
  inits.push(floatTensor('dense_bias', [spec.classes], get('dense/bias').values));
  node('Gemm', [current, 'dense_kernel', 'dense_bias'], ['logits']);
  node('Softmax', ['logits'], [ONNX_OUTPUT_NAME], [attr.int('axis', -1)]);

  const FLOAT = onnx.TensorProto.DataType.FLOAT;
  const proto = onnx.ModelProto.create({
    irVersion: 8,
    opsetImport: [{ domain: '', version: ONNX_OPSET }],
    producerName: 'gruvision',
    producerVersion: options.producerVersion ?? '0.0.0',
    docString: 'GRU image classifier exported by gruvision (@gruvision/interop).',
    graph: {
      name: 'gruvision',
      node: nodes,
      initializer: inits,
      input: [
        {
          name: ONNX_INPUT_NAME,
          type: {
            tensorType: {
              elemType: FLOAT,
              shape: {
                dim: [
                  { dimParam: 'batch' },
                  { dimValue: input.height },
                  { dimValue: input.width },
                  { dimValue: input.channels },
                ],
              },
            },
          },
        },
      ],
      output: [
        {
          name: ONNX_OUTPUT_NAME,
          type: {
            tensorType: {
              elemType: FLOAT,
              shape: { dim: [{ dimParam: 'batch' }, { dimValue: spec.classes }] },
            },
          },
        },
      ],
    },
    metadataProps: [
      { key: 'gruvision', value: metadataJson(model) },
      { key: 'class_names', value: JSON.stringify(model.classNames) },
    ],
  });
  return onnx.ModelProto.encode(proto).finish();
}
