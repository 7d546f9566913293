import type { NamedWeights } from './engine/contract';
import { GruMathError } from './errors';
import { type ModelSpec, resolveLayers, type UpdateGate, weightLayout } from './spec';

/**
 * The same model with every GRU layer's update gate in the form `to`: a `'takesNew'` GRU (the founding
 * text: h = (1 − z) ⊙ h_prev + z ⊙ ĥ) is the `'keepsOld'` GRU (Keras: h = z ⊙ h_prev + (1 − z) ⊙ ĥ)
 * whose z block — columns [0, u) of the kernel, the recurrent kernel and the bias (both rows of a
 * `[2, 3u]` bias) — is negated, because σ(−a) = 1 − σ(a) (and likewise for both hard sigmoids). So the
 * converted model gives the same outputs (to float rounding). Layers already in form `to` are copied.
 * Use it to export a founding-form model to formats that only know the standard GRU (ONNX, PyTorch).
 */
export function convertUpdateGate(
  spec: ModelSpec,
  weights: NamedWeights,
  to: UpdateGate,
): { spec: ModelSpec; weights: NamedWeights } {
  if (to !== 'keepsOld' && to !== 'takesNew') {
    throw new GruMathError(
      'INVALID_ARGUMENT',
      `to must be "keepsOld" or "takesNew", got ${JSON.stringify(to)}.`,
    );
  }
  const layers = resolveLayers(spec);
  const flip = new Set<string>();
  const units = new Map<string, number>();
  for (const layer of layers) {
    if (layer.cell !== 'gru' || layer.updateGate === to) continue;
    for (const dir of layer.directions) {
      for (const name of [dir.kernel, dir.recurrentKernel, dir.bias]) {
        flip.add(name);
        units.set(name, layer.units);
      }
    }
  }
  const names = new Set(weightLayout(spec).entries.map((e) => e.name));
  for (const w of weights) {
    if (!names.has(w.name)) {
      throw new GruMathError(
        'INVALID_ARGUMENT',
        `Weight ${JSON.stringify(w.name)} is not part of this spec.`,
      );
    }
  }
  const converted = weights.map((w) => {
    const values = Float32Array.from(w.values);
    if (flip.has(w.name)) {
      const u = units.get(w.name)!;
      const G = 3 * u;
      for (let row = 0; row < values.length / G; row++) {
        for (let j = 0; j < u; j++) values[row * G + j] = -values[row * G + j]!;
      }
    }
    return { name: w.name, shape: [...w.shape], values };
  });
  const newSpec: ModelSpec = {
    ...spec,
    layers: spec.layers.map((l) => {
      if (l.cell !== 'gru') return l;
      const { updateGate: _, ...rest } = l;
      return to === 'takesNew' ? { ...rest, updateGate: 'takesNew' } : rest;
    }),
  };
  return { spec: newSpec, weights: converted };
}
