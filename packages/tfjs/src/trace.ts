import type { LayerTrace, ModelSpec, NamedWeights, Trace } from '@gruvision/math';
import { hasRecurrentKernel, isMinCell, resolveLayers } from '@gruvision/math';
import * as tf from '@tensorflow/tfjs';
import { gruStep, resolveActivation } from './gru-layer';
import { minGates } from './min-rnn-layer';

/**
 * Runs every recurrent cell of `spec` step by step on one sample `x [T,F]` with `weights` (canonical
 * layout), in tfjs ops on the current backend, and records per step the hidden state and the gates
 * (GRU `z`, `r`, `hCandidate`; LSTM `i`, `f`, `o`, `c`), indexed by input time step — the same record
 * the math core's `trace` gives. `stepProbabilities [T,C]` applies the dense head to the last layer's
 * state after each processed step (bidirectional: both directions after the same number of steps).
 * `finalProbabilities` (the model's prediction for `x`) is passed in so it equals `predict` exactly.
 */
export function traceSteps(
  spec: ModelSpec,
  weights: NamedWeights,
  x: Float32Array,
  finalProbabilities: Float32Array,
): Trace {
  const byName = new Map(weights.map((w) => [w.name, w]));
  const tensor = (name: string): tf.Tensor => {
    const w = byName.get(name)!;
    return tf.tensor(w.values, [...w.shape], 'float32');
  };
  const T = spec.timeSteps;
  const layers: LayerTrace[] = [];
  const stepProbabilities = tf.tidy(() => {
    let input = tf.tensor2d(x, [T, spec.features]);
    let lastStates: tf.Tensor2D[][] = [];
    for (const layer of resolveLayers(spec)) {
      const u = layer.units;
      const recurrentActivation = resolveActivation(layer.recurrentActivation, 'sigmoid');
      const outputs: tf.Tensor2D[][] = [];
      lastStates = [];
      layer.directions.forEach((names, d) => {
        const goBackwards = d === 0 ? layer.goBackwards : !layer.goBackwards;
        const kernel = tensor(names.kernel) as tf.Tensor2D;
        const recurrentKernel = (
          hasRecurrentKernel(layer.cell) ? tensor(names.recurrentKernel) : tf.zeros([u, 0])
        ) as tf.Tensor2D;
        const bias = tensor(names.bias);
        const gateNames =
          layer.cell === 'gru'
            ? ['z', 'r', 'hCandidate']
            : layer.cell === 'lstm'
              ? ['i', 'f', 'o', 'c']
              : layer.cell === 'mingru'
                ? ['z', 'hCandidate']
                : layer.cell === 'minlstm'
                  ? ['i', 'f', 'hCandidate']
                  : [];
        const gates: Record<string, tf.Tensor2D[]> = Object.fromEntries(
          gateNames.map((n) => [n, new Array(T)]),
        );
        const hByTime: tf.Tensor2D[] = new Array(T);
        const processed: tf.Tensor2D[] = [];
        let h = tf.zeros([1, u]) as tf.Tensor2D;
        let c = tf.zeros([1, u]) as tf.Tensor2D;
        for (let s = 0; s < T; s++) {
          const t = goBackwards ? T - 1 - s : s;
          const xt = tf.slice(input, [t, 0], [1, -1]) as tf.Tensor2D;
          if (layer.cell === 'gru') {
            const step = gruStep(
              xt,
              h,
              h,
              { kernel, recurrentKernel, bias },
              { units: u, resetAfter: layer.resetAfter, updateGate: layer.updateGate },
              recurrentActivation,
            );
            gates.z![t] = step.z;
            gates.r![t] = step.r;
            gates.hCandidate![t] = step.hCandidate;
            h = step.h;
          } else if (layer.cell === 'lstm') {
            const zAll = tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(h, recurrentKernel)), bias);
            const [zi, zf, zc, zo] = tf.split(zAll, 4, 1) as tf.Tensor2D[];
            const i = recurrentActivation(zi!) as tf.Tensor2D;
            const f = recurrentActivation(zf!) as tf.Tensor2D;
            const o = recurrentActivation(zo!) as tf.Tensor2D;
            c = tf.add(tf.mul(f, c), tf.mul(i, tf.tanh(zc!)));
            h = tf.mul(o, tf.tanh(c));
            gates.i![t] = i;
            gates.f![t] = f;
            gates.o![t] = o;
            gates.c![t] = c;
          } else if (isMinCell(layer.cell)) {
            // One step of the minimal cell: h = a ⊙ h + b, gates from the input only.
            const step = minGates(layer.cell, tf.add(tf.matMul(xt, kernel), bias));
            h = tf.add(tf.mul(step.a, h), step.b) as tf.Tensor2D;
            for (const n of gateNames) gates[n]![t] = step.gates[n] as tf.Tensor2D;
          } else {
            h = tf.tanh(
              tf.add(tf.add(tf.matMul(xt, kernel), tf.matMul(h, recurrentKernel)), bias),
            ) as tf.Tensor2D;
          }
          hByTime[t] = h;
          processed.push(h);
        }
        // Layer output sequence (Keras): processing order; a bidirectional backward copy is re-reversed.
        outputs.push(d === 1 ? [...processed].reverse() : processed);
        lastStates.push(processed);
        const stack = (list: tf.Tensor2D[]): Float32Array => tf.concat(list, 0).dataSync() as Float32Array;
        layers.push({
          layer: layer.name,
          cell: layer.cell,
          direction: d === 0 ? 'forward' : 'backward',
          units: u,
          h: stack(hByTime),
          gates: Object.fromEntries(Object.entries(gates).map(([n, list]) => [n, stack(list)])),
        });
      });
      input = tf.concat(
        Array.from({ length: T }, (_, s) =>
          tf.concat(
            outputs.map((o) => o[s]!),
            1,
          ),
        ),
        0,
      ) as tf.Tensor2D;
    }
    const steps = tf.concat(
      Array.from({ length: T }, (_, s) =>
        tf.concat(
          lastStates.map((p) => p[s]!),
          1,
        ),
      ),
      0,
    );
    const logits = tf.add(tf.matMul(steps, tensor('dense/kernel') as tf.Tensor2D), tensor('dense/bias'));
    return tf.softmax(logits).dataSync() as Float32Array;
  });
  return { timeSteps: T, layers, stepProbabilities, probabilities: finalProbabilities };
}
