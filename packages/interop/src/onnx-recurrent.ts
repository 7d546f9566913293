/** The recurrent layers of an ONNX graph: its `GRU` / `LSTM` / `RNN` nodes in gruvision's layout. */
import type { CellType } from '@gruvision/math';
import type { ImportedLayer } from './assemble-model';
import { fail } from './errors';
import { ONNX_GATE_ORDER, orderToBias, rowsToKernel } from './gate-order';
import type { OnnxActivation } from './gates';
import { gateActivationName } from './gates';
import type { OnnxNodeProto } from './onnx-proto';
import { attributes, nodeLabel, type OnnxGraphIndex, tensorFloats } from './onnx-tensors';

export const RNN_OPS: Record<string, CellType> = { GRU: 'gru', LSTM: 'lstm', RNN: 'simpleRnn' };
const PARAMETRIC = new Set(['hardsigmoid', 'affine', 'leakyrelu', 'thresholdedrelu', 'scaledtanh', 'elu']);
const decoder = new TextDecoder();

/** Whether a recurrent node's initial state is zero: absent, a zero constant, or zeros moved by plumbing. */
function isZeroState(graph: OnnxGraphIndex, name: string): boolean {
  const { file, constants, producer } = graph;
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
    ['Slice', 'Expand', 'Reshape', 'Unsqueeze', 'Squeeze', 'Identity', 'Cast', 'Transpose'].includes(op ?? '')
  ) {
    return isZeroState(graph, p.node.input?.[0] ?? '');
  }
  if (op === 'Concat') return (p.node.input ?? []).every((input) => isZeroState(graph, input));
  return false;
}

/**
 * The `li`-th recurrent node of `rnn` as a layer: its direction, sizes, activations and weights, checked
 * against what gruvision can run and against the layer before it.
 */
export function readRecurrentLayer(
  graph: OnnxGraphIndex,
  rnn: readonly { node: OnnxNodeProto; index: number }[],
  li: number,
): ImportedLayer {
  const { file, constant, dimsOf } = graph;
  const { node, index } = rnn[li]!;
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
  if (!isZeroState(graph, inputs[5] ?? '') || !isZeroState(graph, inputs[6] ?? '')) {
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
}
