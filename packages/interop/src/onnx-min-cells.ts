// minGRU / minLSTM layers as standard ONNX operators: the gates of every step at once, then the linear
// recurrence h_t = a_t ⊙ h_{t−1} + b_t as an ONNX `Scan` whose body is one Mul and one Add.
import type { NamedWeight, ResolvedLayer } from '@gruvision/math';
import type { OnnxAttributeProto, OnnxTensorProto } from './onnx-proto';
import { attr, floatTensor, int64Tensor, onnx } from './onnx-proto';

/** The graph under construction, as `modelToOnnx` builds it. */
export interface OnnxGraphParts {
  readonly node: (
    opType: string,
    inputs: string[],
    outputs: string[],
    attributes?: OnnxAttributeProto[],
  ) => void;
  readonly inits: OnnxTensorProto[];
}

const FLOAT = onnx.TensorProto.DataType.FLOAT;

/** A float `[rows, units]` tensor value of a Scan body (rows = the dynamic batch). */
function stateValue(name: string, units: number) {
  return {
    name,
    type: {
      tensorType: { elemType: FLOAT, shape: { dim: [{ dimParam: 'batch' }, { dimValue: units }] } },
    },
  };
}

/**
 * The body of the Scan of one direction: state h [batch, u], scan inputs a_t, b_t [batch, u];
 * h ← a_t ⊙ h + b_t, given out as the new state and as the step's output.
 */
function scanBody(p: string, units: number): OnnxAttributeProto {
  const n = (s: string) => `${p}_body_${s}`;
  return {
    name: 'body',
    type: onnx.AttributeProto.AttributeType.GRAPH,
    g: {
      name: `${p}_scan_body`,
      node: [
        { opType: 'Mul', input: [n('a'), n('h')], output: [n('ah')], name: n('Mul') },
        { opType: 'Add', input: [n('ah'), n('b')], output: [n('h_next')], name: n('Add') },
        { opType: 'Identity', input: [n('h_next')], output: [n('h_out')], name: n('Identity') },
      ],
      input: [stateValue(n('h'), units), stateValue(n('a'), units), stateValue(n('b'), units)],
      output: [stateValue(n('h_next'), units), stateValue(n('h_out'), units)],
    },
  };
}

/** The name of a shared scalar float constant (added to the graph on first use). */
function constant(graph: OnnxGraphParts, name: 'min_zero' | 'min_half' | 'min_one', value: number): string {
  if (!graph.inits.some((t) => t.name === name))
    graph.inits.push(floatTensor(name, [], Float32Array.of(value)));
  return name;
}

/**
 * One `mingru` / `minlstm` layer (Feng et al. 2024; the equations are in the math package's
 * `cells/min-gru.ts` and `cells/min-lstm.ts`) reading `input` [T, batch, I], prefix `p`. Per direction:
 * pre-activations x·W + b [T, batch, G] (one MatMul, Keras kernel layout [I, G], blocks z|h or i|f|h),
 * Split into the blocks; minGRU a = 1 − σ(z), b = σ(z) ⊙ g(h); minLSTM f′ = σ(f)/(σ(f) + σ(i)),
 * a = f′, b = (σ(i)/(σ(f) + σ(i))) ⊙ g(h); g(x) = x + 0.5 for x ≥ 0, σ(x) below (Where); then a Scan over
 * time from h_0 = 0. The backward direction of a bidirectional layer scans in reverse and writes its
 * outputs in reverse, so step t of both directions lines up (as Keras' Bidirectional concatenates).
 * Returns the output's name: the final state [batch, D·u] when `last`, else the sequence [T, batch, D·u].
 */
export function minLayerToOnnx(
  graph: OnnxGraphParts,
  layer: ResolvedLayer,
  p: string,
  input: string,
  last: boolean,
  get: (name: string) => NamedWeight,
): string {
  const { node, inits } = graph;
  const u = layer.units;
  const gru = layer.cell === 'mingru';
  const G = (gru ? 2 : 3) * u;
  inits.push(int64Tensor(`${p}_split`, [gru ? 2 : 3], gru ? [u, u] : [u, u, u]));
  const outputs = layer.directions.map((names, d) => {
    const q = `${p}_d${d}`;
    const kernel = get(names.kernel);
    inits.push(floatTensor(`${q}_kernel`, [layer.inputSize, G], kernel.values));
    inits.push(floatTensor(`${q}_bias`, [G], get(names.bias).values));
    node('MatMul', [input, `${q}_kernel`], [`${q}_xw`]);
    node('Add', [`${q}_xw`, `${q}_bias`], [`${q}_pre`]);
    const blocks = gru ? ['z', 'h'] : ['i', 'f', 'h'];
    node(
      'Split',
      [`${q}_pre`, `${p}_split`],
      blocks.map((b) => `${q}_pre_${b}`),
      [attr.int('axis', 2)],
    );
    // g(h) = h ≥ 0 ? h + 0.5 : σ(h)
    node('GreaterOrEqual', [`${q}_pre_h`, constant(graph, 'min_zero', 0)], [`${q}_h_positive`]);
    node('Add', [`${q}_pre_h`, constant(graph, 'min_half', 0.5)], [`${q}_h_linear`]);
    node('Sigmoid', [`${q}_pre_h`], [`${q}_h_sigmoid`]);
    node('Where', [`${q}_h_positive`, `${q}_h_linear`, `${q}_h_sigmoid`], [`${q}_candidate`]);
    if (gru) {
      node('Sigmoid', [`${q}_pre_z`], [`${q}_z`]);
      node('Sub', [constant(graph, 'min_one', 1), `${q}_z`], [`${q}_a`]);
      node('Mul', [`${q}_z`, `${q}_candidate`], [`${q}_b`]);
    } else {
      node('Sigmoid', [`${q}_pre_i`], [`${q}_i`]);
      node('Sigmoid', [`${q}_pre_f`], [`${q}_f`]);
      node('Add', [`${q}_f`, `${q}_i`], [`${q}_if`]);
      node('Div', [`${q}_f`, `${q}_if`], [`${q}_a`]);
      node('Div', [`${q}_i`, `${q}_if`], [`${q}_i_norm`]);
      node('Mul', [`${q}_i_norm`, `${q}_candidate`], [`${q}_b`]);
    }
    // h_0 = 0 of shape [batch, u].
    node('Shape', [`${q}_b`], [`${q}_state_shape`], [attr.int('start', 1)]);
    node(
      'ConstantOfShape',
      [`${q}_state_shape`],
      [`${q}_h0`],
      [
        {
          name: 'value',
          type: onnx.AttributeProto.AttributeType.TENSOR,
          t: floatTensor('', [1], Float32Array.of(0)),
        },
      ],
    );
    const reverse = d === 1 ? 1 : 0;
    node(
      'Scan',
      [`${q}_h0`, `${q}_a`, `${q}_b`],
      [`${q}_final`, `${q}_sequence`],
      [
        scanBody(q, u),
        attr.int('num_scan_inputs', 2),
        attr.ints('scan_input_directions', [reverse, reverse]),
        attr.ints('scan_output_directions', [reverse]),
      ],
    );
    return last ? `${q}_final` : `${q}_sequence`;
  });
  if (outputs.length === 1) return outputs[0]!;
  const merged = last ? `${p}_final` : `${p}_out`;
  node('Concat', outputs, [merged], [attr.int('axis', last ? 1 : 2)]);
  return merged;
}
