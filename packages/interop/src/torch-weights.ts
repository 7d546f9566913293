import type { CellType } from '@gruvision/math';
import { gateCount, isMinCell, resolveLayers } from '@gruvision/math';
import type { ImportedLayer, ImportOptions } from './assemble-model';
import { assembleModel } from './assemble-model';
import { GruInteropError } from './errors';
import {
  biasToOrder,
  kernelToRows,
  orderToBias,
  rowsToKernel,
  TORCH_GATE_ORDER,
  transpose2d,
} from './gate-order';
import type { InteropModel } from './model';
import { checkModel, metadataJson, parseMetadataJson, standardUpdateGate } from './model';
import type { SafetensorsTensor } from './safetensors';
import { readSafetensors, writeSafetensors } from './safetensors';

const TORCH_MODULE: Record<CellType, string> = {
  gru: 'nn.GRU',
  lstm: 'nn.LSTM',
  simpleRnn: 'nn.RNN',
  mingru: 'PyTorch module',
  minlstm: 'PyTorch module',
};

/**
 * Why a spec cannot be one `nn.GRU` / `nn.LSTM` / `nn.RNN` + `nn.Linear`, or `undefined` when it can.
 */
export function torchIncompatibility(model: Pick<InteropModel, 'spec'>): string | undefined {
  const layers = resolveLayers(model.spec);
  const first = layers[0]!;
  for (const l of layers) {
    const where = `layer ${l.index} (${l.name})`;
    if (isMinCell(l.cell))
      return `${where} is a ${l.cell}; PyTorch has no built-in module for the minimal cells (Feng et al. 2024). Use the gruvision artifact, or train a gru / lstm / simpleRnn model to export.`;
    if (l.cell !== first.cell)
      return `${where} is a ${l.cell} after a ${first.cell}; one PyTorch module has one cell type. Train with one cell for every layer.`;
    if (l.units !== first.units)
      return `${where} has ${l.units} units after ${first.units}; nn.${first.cell === 'gru' ? 'GRU' : first.cell === 'lstm' ? 'LSTM' : 'RNN'} has one hidden size. Train with the same units in every layer.`;
    if (l.bidirectional !== first.bidirectional)
      return `${where} is ${l.bidirectional ? '' : 'not '}bidirectional unlike layer 0; PyTorch makes every layer bidirectional or none.`;
    if (l.goBackwards)
      return `${where} reads backwards (goBackwards), which PyTorch's modules cannot express. Train without goBackwards (use --bidirectional for both directions).`;
    if (l.cell === 'gru' && !l.resetAfter) {
      return `${where} is a reset-before GRU (resetAfter false); nn.GRU only has the reset-after form. Train with --reset-after, or export to ONNX, which has both.`;
    }
    if (l.cell !== 'simpleRnn' && l.recurrentActivation !== 'sigmoid') {
      return `${where} uses ${l.recurrentActivation} gates; PyTorch's cells use the sigmoid. Train with sigmoid gates (recurrentActivation 'sigmoid', the CLI's default), or export to ONNX, which has both.`;
    }
  }
  return undefined;
}

/**
 * The model's weights under PyTorch's names and layouts — the state dict of a module with
 * `self.rnn = nn.GRU|nn.LSTM|nn.RNN(features, units, num_layers=L, batch_first=True, bidirectional=B)` and
 * `self.head = nn.Linear(units·D, classes)`: `rnn.weight_ih_l{k}[_reverse]` `[g·u, I]`, `rnn.weight_hh_l{k}`,
 * `rnn.bias_ih_l{k}`, `rnn.bias_hh_l{k}`, `head.weight` `[C, H]`, `head.bias`. GRU gates r|z|n, LSTM i|f|g|o.
 * Keras' single bias goes to `bias_ih`, with `bias_hh` zero.
 */
export function torchStateDict(model: InteropModel, file = 'model.safetensors'): SafetensorsTensor[] {
  const why = torchIncompatibility(model);
  if (why) {
    throw new GruInteropError(
      'UNSUPPORTED_MODEL',
      `${file}: cannot be written as one ${TORCH_MODULE[model.spec.layers[0]!.cell]}: ${why}`,
      { file },
    );
  }
  const weights = new Map(checkModel(model, file).map((w) => [w.name, w.values]));
  const tensors: SafetensorsTensor[] = [];
  for (const layer of resolveLayers(model.spec)) {
    const order = TORCH_GATE_ORDER[layer.cell];
    const u = layer.units;
    const G = gateCount(layer.cell) * u;
    layer.directions.forEach((names, d) => {
      const suffix = `_l${layer.index}${d === 1 ? '_reverse' : ''}`;
      const bias = weights.get(names.bias)!;
      const [bih, bhh] =
        layer.cell === 'gru'
          ? [biasToOrder(bias.subarray(0, G), u, order), biasToOrder(bias.subarray(G), u, order)]
          : [biasToOrder(bias, u, order), new Float32Array(G)];
      tensors.push(
        {
          name: `rnn.weight_ih${suffix}`,
          shape: [G, layer.inputSize],
          values: kernelToRows(weights.get(names.kernel)!, layer.inputSize, u, order),
        },
        {
          name: `rnn.weight_hh${suffix}`,
          shape: [G, u],
          values: kernelToRows(weights.get(names.recurrentKernel)!, u, u, order),
        },
        { name: `rnn.bias_ih${suffix}`, shape: [G], values: bih },
        { name: `rnn.bias_hh${suffix}`, shape: [G], values: bhh },
      );
    });
  }
  const kernel = weights.get('dense/kernel')!;
  const H = kernel.length / model.spec.classes;
  tensors.push({
    name: 'head.weight',
    shape: [model.spec.classes, H],
    values: transpose2d(kernel, H, model.spec.classes),
  });
  tensors.push({
    name: 'head.bias',
    shape: [model.spec.classes],
    values: Float32Array.from(weights.get('dense/bias')!),
  });
  return tensors;
}

/** The model as a safetensors file of {@link torchStateDict}, metadata `gruvision` (JSON) and `format: "pt"`. */
export function modelToSafetensors(
  model: InteropModel,
  options: { readonly file?: string } = {},
): Uint8Array {
  const standard = standardUpdateGate(model);
  return writeSafetensors(torchStateDict(standard, options.file), {
    gruvision: metadataJson(standard),
    format: 'pt',
  });
}

const RNN_KEY = /^(?:module\.)?(?:(rnn|gru|lstm)\.)?(weight_ih|weight_hh|bias_ih|bias_hh)_l(\d+)(_reverse)?$/;
const HEAD_KEY = /^(?:module\.)?(fc|head|classifier|linear)\.(weight|bias)$/;

/**
 * A safetensors file written by gruvision (`modelToSafetensors`) or holding the state dict of a PyTorch
 * module with one `nn.GRU` / `nn.LSTM` / `nn.RNN` (under `rnn.`, `gru.`, `lstm.` or no prefix) and one
 * `nn.Linear` head (under `fc.`, `head.`, `classifier.` or `linear.`), as a gruvision model. The cell is
 * told by the gate count (`weight_hh` rows ÷ columns: 3 GRU, 4 LSTM, 1 RNN); a GRU is reset-after.
 */
export function modelFromSafetensors(bytes: Uint8Array, options: ImportOptions = {}): InteropModel {
  const file = options.file ?? 'model.safetensors';
  const { tensors, metadata } = readSafetensors(bytes, file, options.maxBytes);
  const fail = (code: 'UNKNOWN_TENSOR' | 'SHAPE_MISMATCH' | 'NON_FINITE', problem: string): never => {
    throw new GruInteropError(code, `${file}: ${problem}`, { file });
  };
  const meta = metadata.gruvision !== undefined ? parseMetadataJson(metadata.gruvision, file) : undefined;
  const rnn = new Map<string, SafetensorsTensor>();
  const head = new Map<string, SafetensorsTensor>();
  const prefixes = new Set<string>();
  const headPrefixes = new Set<string>();
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++) {
      if (!Number.isFinite(t.values[i]!))
        fail(
          'NON_FINITE',
          `tensor ${t.name} holds ${t.values[i]} at index ${i}. The weights are corrupt; save them again.`,
        );
    }
    const m = RNN_KEY.exec(t.name);
    const h = HEAD_KEY.exec(t.name);
    if (m) {
      prefixes.add(m[1] ?? '');
      rnn.set(`${m[2]}_l${m[3]}${m[4] ?? ''}`, t);
    } else if (h) {
      headPrefixes.add(h[1]!);
      head.set(h[2]!, t);
    } else {
      fail(
        'UNKNOWN_TENSOR',
        `tensor ${JSON.stringify(t.name)} is not part of a gruvision model. Expected rnn.weight_ih_l0 … (prefix rnn., gru., lstm.) and head.weight/head.bias (prefix head., fc., classifier., linear.).`,
      );
    }
  }
  if (prefixes.size > 1 || headPrefixes.size > 1) {
    fail(
      'UNKNOWN_TENSOR',
      `holds more than one recurrent module or head (${[...prefixes, ...headPrefixes].join(', ')}); gruvision models have one of each.`,
    );
  }
  const hh0 = rnn.get('weight_hh_l0');
  if (!hh0 || !rnn.get('weight_ih_l0'))
    fail('UNKNOWN_TENSOR', 'has no rnn.weight_ih_l0 / rnn.weight_hh_l0; it holds no recurrent layer.');
  const headWeight = head.get('weight') ?? fail('UNKNOWN_TENSOR', 'has no head.weight (the nn.Linear head).');
  if (hh0!.shape.length !== 2)
    fail(
      'SHAPE_MISMATCH',
      `weight_hh_l0 has shape [${hh0!.shape.join(', ')}], expected [gates·hidden, hidden].`,
    );
  const units = hh0!.shape[1]!;
  const g = hh0!.shape[0]! / units;
  const cell: CellType | undefined = g === 3 ? 'gru' : g === 4 ? 'lstm' : g === 1 ? 'simpleRnn' : undefined;
  if (!cell)
    return fail(
      'SHAPE_MISMATCH',
      `weight_hh_l0 has shape [${hh0!.shape.join(', ')}]: ${hh0!.shape[0]} rows is not 1, 3 or 4 gates of ${units} units.`,
    );
  const bidirectional = rnn.has('weight_ih_l0_reverse');
  const D = bidirectional ? 2 : 1;
  let L = 0;
  while (rnn.has(`weight_ih_l${L}`)) L++;
  const expected = new Set<string>();
  const order = TORCH_GATE_ORDER[cell];
  const G = g * units;
  const layers: ImportedLayer[] = [];
  let inputSize = rnn.get('weight_ih_l0')!.shape[1]!;
  for (let k = 0; k < L; k++) {
    const directions = [];
    for (let d = 0; d < D; d++) {
      const suffix = `_l${k}${d === 1 ? '_reverse' : ''}`;
      const get = (kind: string, shape: number[], optional: boolean): Float32Array => {
        const key = `${kind}${suffix}`;
        expected.add(key);
        const t = rnn.get(key);
        if (!t)
          return optional
            ? new Float32Array(shape.reduce((a, b) => a * b, 1))
            : fail(
                'UNKNOWN_TENSOR',
                `is missing ${key} (layer ${k}${d === 1 ? ', backward direction' : ''}).`,
              );
        if (t.shape.length !== shape.length || t.shape.some((s, i) => s !== shape[i])) {
          fail(
            'SHAPE_MISMATCH',
            `tensor ${t.name} has shape [${t.shape.join(', ')}], expected [${shape.join(', ')}] for a ${TORCH_MODULE[cell]} of hidden size ${units}.`,
          );
        }
        return t.values;
      };
      const wih = get('weight_ih', [G, inputSize], false);
      const whh = get('weight_hh', [G, units], false);
      const bih = get('bias_ih', [G], true);
      const bhh = get('bias_hh', [G], true);
      let bias: Float32Array;
      if (cell === 'gru') {
        bias = new Float32Array(2 * G);
        bias.set(orderToBias(bih, units, order), 0);
        bias.set(orderToBias(bhh, units, order), G);
      } else {
        bias = orderToBias(
          bih.map((v, i) => v + bhh[i]!),
          units,
          order,
        );
      }
      directions.push({
        kernel: rowsToKernel(wih, inputSize, units, order),
        recurrentKernel: rowsToKernel(whh, units, units, order),
        bias,
      });
    }
    layers.push({
      cell,
      units,
      inputSize,
      bidirectional,
      resetAfter: cell === 'gru',
      recurrentActivation: 'sigmoid',
      directions,
    });
    inputSize = D * units;
  }
  for (const key of rnn.keys()) {
    if (!expected.has(key))
      fail(
        'UNKNOWN_TENSOR',
        `tensor ${key} does not fit a ${L}-layer ${bidirectional ? 'bidirectional ' : ''}${TORCH_MODULE[cell]}.`,
      );
  }
  if (headWeight.shape.length !== 2 || headWeight.shape[1] !== inputSize) {
    fail(
      'SHAPE_MISMATCH',
      `head.weight has shape [${headWeight.shape.join(', ')}], expected [classes, ${inputSize}] to read the last recurrent layer.`,
    );
  }
  const classes = headWeight.shape[0]!;
  const headBias = head.get('bias');
  if (headBias && (headBias.shape.length !== 1 || headBias.shape[0] !== classes)) {
    fail('SHAPE_MISMATCH', `head.bias has shape [${headBias.shape.join(', ')}], expected [${classes}].`);
  }
  if (classes < 2)
    fail('SHAPE_MISMATCH', `head.weight has ${classes} output; a classifier needs at least 2 classes.`);
  return assembleModel(
    layers,
    transpose2d(headWeight.values, classes, inputSize),
    headBias ? Float32Array.from(headBias.values) : new Float32Array(classes),
    classes,
    meta,
    options,
    file,
  );
}
