/** The dense head of an ONNX graph: which final states it reads, and its weights. */
import type { ImportedLayer } from './assemble-model';
import { fail } from './errors';
import { transpose2d } from './gate-order';
import type { OnnxNodeProto, OnnxTensorProto } from './onnx-proto';
import { attributes, nodeLabel, type OnnxGraphIndex, type OnnxProducers, tensorInts } from './onnx-tensors';

/**
 * The dense head's weights, after checking that it reads the last recurrent layer's final state (Y_h),
 * or Y of a unidirectional one.
 */
export function readDenseHead(
  graph: OnnxGraphIndex,
  rnn: readonly { node: OnnxNodeProto; index: number }[],
  layers: readonly ImportedLayer[],
  head: { node: OnnxNodeProto; index: number },
  headBias: { node: OnnxNodeProto; index: number } | undefined,
): { kernel: Float32Array; bias: Float32Array; classes: number } {
  const { file, producer, constants, constant, dimsOf } = graph;
  const lastRnn = rnn[rnn.length - 1]!;
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

  return { kernel, bias, classes };
}

type HeadInput =
  | { kind: 'rows'; rows: { node: OnnxNodeProto; direction: number }[]; transposed: boolean }
  | { kind: 'features'; blocks: { node: OnnxNodeProto; direction: number }[] }
  | { kind: 'sequence'; node: OnnxNodeProto; directions: number }
  | { kind: 'unknown'; why: string };

/**
 * Follows the head's input back to the recurrent nodes, tracking which final states (node, direction)
 * it holds and in which order — through the shapes PyTorch and gruvision's own export produce:
 * Y_h → Concat (layers) → Gather (h_n[-1]) → Concat (forward, backward); Y_h → Transpose → Reshape;
 * Y → Squeeze/Transpose → Gather(-1) (`out[:, -1, :]`).
 */
function traceHeadInput(
  name: string,
  producer: OnnxProducers,
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
