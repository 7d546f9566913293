import type { ModelSpec } from '@gruvision/math';
import { resolveLayers } from '@gruvision/math';
import { describe, expect, it } from 'vitest';
// The float64 minGRU / minLSTM written from the paper's equations for the math package's own tests.
import { minCellReference } from '../../math/src/__fixtures__/min-reference';
import type { InteropModel } from './model';
import { viewGather, viewScale } from './model';
import { modelToOnnx } from './onnx-export';
import { onnx } from './onnx-proto';
import { runOnnxImages } from './ort';
import { MIN_COMBINATIONS } from './test-min-models';
import { exportCase, interopModelOf, maxAbsDiff, randomClassifier, randomImages } from './test-models';

/** Reverses the time axis of x [B, T, k]. */
function reverseTime(x: Float64Array, B: number, T: number, k: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let b = 0; b < B; b++) {
    for (let t = 0; t < T; t++)
      out.set(x.subarray((b * T + t) * k, (b * T + t + 1) * k), (b * T + T - 1 - t) * k);
  }
  return out;
}

/**
 * The classifier's probabilities in float64, from the equations: the view (gather, scale, shift), each
 * minimal layer from `minCellReference` (Keras semantics: goBackwards reads the reversed sequence and
 * returns it in processing order; a bidirectional layer's backward direction reads the sequence reversed
 * and its outputs are put back in input order; the last layer gives the final states), dense, softmax.
 * Only for models whose layers are all minimal cells.
 */
function referenceProbabilities(model: InteropModel, nhwc: Float32Array, B: number): Float64Array {
  const { spec } = model;
  const weights = new Map(model.weights.map((w) => [w.name, w.values] as const));
  const gather = viewGather(model.view, model.input);
  const { scale, shift } = viewScale(model.view);
  const size = model.input.height * model.input.width * model.input.channels;
  const T = spec.timeSteps;
  let width = spec.features;
  let x = new Float64Array(B * T * width);
  for (let b = 0; b < B; b++) {
    for (let k = 0; k < gather.length; k++)
      x[b * gather.length + k] = nhwc[b * size + gather[k]!]! * scale + shift;
  }
  let final = new Float64Array(0);
  for (const layer of resolveLayers(spec)) {
    if (layer.cell !== 'mingru' && layer.cell !== 'minlstm') throw new Error('reference: minimal cells only');
    const input = layer.goBackwards ? reverseTime(x, B, T, width) : x;
    const u = layer.units;
    const D = layer.directions.length;
    const sequence = new Float64Array(B * T * D * u);
    final = new Float64Array(B * D * u);
    layer.directions.forEach((names, d) => {
      const w = { kernel: weights.get(names.kernel)!, bias: weights.get(names.bias)! };
      const read = d === 1 ? reverseTime(input, B, T, width) : input;
      const h = minCellReference(layer.cell as 'mingru', read, B, T, width, u, w);
      const aligned = d === 1 ? reverseTime(h, B, T, u) : h;
      for (let b = 0; b < B; b++) {
        for (let t = 0; t < T; t++) {
          sequence.set(aligned.subarray((b * T + t) * u, (b * T + t + 1) * u), ((b * T + t) * D + d) * u);
        }
        final.set(h.subarray((b * T + T - 1) * u, (b * T + T) * u), (b * D + d) * u);
      }
    });
    x = sequence;
    width = D * u;
  }
  const kernel = weights.get('dense/kernel')!;
  const bias = weights.get('dense/bias')!;
  const C = spec.classes;
  const out = new Float64Array(B * C);
  for (let b = 0; b < B; b++) {
    const logits = Array.from({ length: C }, (_, c) => {
      let s = bias[c]!;
      for (let i = 0; i < width; i++) s += final[b * width + i]! * kernel[i * C + c]!;
      return s;
    });
    const top = Math.max(...logits);
    const e = logits.map((l) => Math.exp(l - top));
    const sum = e.reduce((a, v) => a + v, 0);
    e.forEach((v, c) => {
      out[b * C + c] = v / sum;
    });
  }
  return out;
}

const allMinimal = (spec: Pick<ModelSpec, 'layers'>) =>
  spec.layers.every((l) => l.cell === 'mingru' || l.cell === 'minlstm');

describe('modelToOnnx: minGRU / minLSTM as a Scan', () => {
  for (const combination of MIN_COMBINATIONS) {
    const against = allMinimal(combination) ? 'the float64 equations and predict()' : 'predict()';
    it(`${combination.name}: onnxruntime-node and -web agree with ${against} within 1e-5`, async () => {
      const B = 5;
      const { model, interop, bytes, nhwc, expected: engine } = await exportCase(combination, B);
      const reference = allMinimal(interop.spec) ? referenceProbabilities(interop, nhwc, B) : undefined;
      if (reference) expect(maxAbsDiff(engine, reference), 'engine vs float64').toBeLessThan(1e-5);
      for (const runtime of ['onnxruntime-node', 'onnxruntime-web'] as const) {
        const out = await runOnnxImages(runtime, bytes, model.input, nhwc);
        expect(out.dims).toEqual([B, model.classNames.length]);
        if (reference) expect(maxAbsDiff(out.data, reference), `${runtime} vs float64`).toBeLessThan(1e-5);
        expect(maxAbsDiff(out.data, engine), `${runtime} vs predict()`).toBeLessThan(1e-5);
      }
      model.dispose();
    });
  }

  it('the probabilities are not uniform, so the 1e-5 comparisons can fail', async () => {
    const model = await randomClassifier(MIN_COMBINATIONS[0]!);
    const { nhwc } = randomImages(model, 3);
    const p = referenceProbabilities(interopModelOf(model), nhwc, 3);
    expect(Math.max(...p) - Math.min(...p)).toBeGreaterThan(0.05);
    model.dispose();
  });

  it('keeps the batch dynamic (one model, batches of 1 and 4)', async () => {
    const model = await randomClassifier(MIN_COMBINATIONS[2]!);
    const interop = interopModelOf(model);
    const bytes = modelToOnnx(interop);
    for (const n of [1, 4]) {
      const { nhwc } = randomImages(model, n, 20 + n);
      const out = await runOnnxImages('onnxruntime-node', bytes, model.input, nhwc);
      expect(out.dims).toEqual([n, model.classNames.length]);
      expect(maxAbsDiff(out.data, referenceProbabilities(interop, nhwc, n))).toBeLessThan(1e-5);
    }
    model.dispose();
  });

  it('writes one Scan per direction, standard operators only, and the gruvision metadata', async () => {
    const model = await randomClassifier(MIN_COMBINATIONS[2]!);
    const proto = onnx.ModelProto.decode(modelToOnnx(interopModelOf(model)));
    const ops = proto.graph!.node!.map((n) => n.opType);
    expect(ops.filter((op) => op === 'Scan')).toHaveLength(4);
    expect(ops).not.toContain('GRU');
    expect(proto.opsetImport.map((o) => o.domain)).toEqual(['']);
    const scans = proto.graph!.node!.filter((n) => n.opType === 'Scan');
    const directions = scans.map((n) =>
      Number(n.attribute!.find((a) => a.name === 'scan_input_directions')!.ints![0]),
    );
    expect(directions).toEqual([0, 1, 0, 1]);
    const body = scans[0]!.attribute!.find((a) => a.name === 'body')!.g!;
    expect(body.node!.map((n) => n.opType)).toEqual(['Mul', 'Add', 'Identity']);
    const meta = Object.fromEntries(proto.metadataProps.map((p) => [p.key, p.value]));
    expect(JSON.parse(meta.gruvision!).spec).toEqual(model.spec);
    model.dispose();
  });
});
