import type { NamedWeight, NamedWeights } from '@gruvision/math';

/** Deep copies of weights (engines may hand out views of their buffers). */
export function copyWeights(weights: NamedWeights): NamedWeight[] {
  return weights.map((w) => ({ name: w.name, shape: [...w.shape], values: w.values.slice() }));
}
