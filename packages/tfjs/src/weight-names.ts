import type * as tf from '@tensorflow/tfjs';

interface WeightTarget {
  readonly originalName: string;
}

/**
 * Maps one weight name written by Keras or the TensorFlow.js converter onto a model weight name:
 * - exact names (`gru/kernel`) stay;
 * - `.h5` names carry the model name and the cell (`sequential/gru/gru_cell/kernel`,
 *   `sequential/bidirectional/forward_gru/gru_cell/bias`);
 * - `.keras` names are positional (`layers/gru/cell/vars/0`, `layers/dense/vars/1`,
 *   `layers/bidirectional/forward_layer/cell/vars/2`).
 * Returns `undefined` when nothing matches.
 */
export function mapWeightName(
  name: string,
  targets: ReadonlySet<string>,
  layerWeights: (layerName: string) => readonly WeightTarget[][] | undefined,
): string | undefined {
  if (targets.has(name)) return name;
  const tokens = name
    .split('/')
    .map((t) => (t.startsWith('_') ? t.slice(1) : t))
    .filter((t) => t !== 'layer_checkpoint_dependencies');
  const varsAt = tokens.lastIndexOf('vars');
  if (varsAt >= 0 && varsAt === tokens.length - 2) {
    const index = Number(tokens[tokens.length - 1]);
    const path = tokens.slice(0, varsAt);
    for (let i = 0; i < path.length; i++) {
      const groups = layerWeights(path[i]!);
      if (!groups) continue;
      const rest = path.slice(i + 1);
      const group = rest.includes('backward_layer') ? groups[1] : groups[0];
      return group?.[index]?.originalName;
    }
    return undefined;
  }
  const withoutCell = tokens.filter((t) => t !== 'cell' && !t.endsWith('_cell'));
  for (let k = 0; k < withoutCell.length; k++) {
    const candidate = withoutCell.slice(k).join('/');
    if (targets.has(candidate)) return candidate;
  }
  return undefined;
}

/** Renames a weight map written by Keras / the converter to `model`'s weight names (unknown names stay). */
export function normalizeWeightNames(model: tf.LayersModel, weights: tf.NamedTensorMap): tf.NamedTensorMap {
  const targets = new Set<string>();
  const byLayer = new Map<string, WeightTarget[][]>();
  for (const layer of model.layers) {
    const all = layer.weights as WeightTarget[];
    for (const w of all) targets.add(w.originalName);
    const wrapped = layer as unknown as { forwardLayer?: tf.layers.Layer; backwardLayer?: tf.layers.Layer };
    byLayer.set(
      layer.name,
      wrapped.forwardLayer && wrapped.backwardLayer
        ? [wrapped.forwardLayer.weights, wrapped.backwardLayer.weights]
        : [all],
    );
  }
  const out: tf.NamedTensorMap = {};
  for (const [name, tensor] of Object.entries(weights)) {
    out[mapWeightName(name, targets, (n) => byLayer.get(n)) ?? name] = tensor;
  }
  return out;
}
