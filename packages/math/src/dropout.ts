import type { FloatArray } from './float-array';
import type { Rng } from './rng';
import { type ModelSpec, resolveLayers } from './spec';

/**
 * Fills `mask[0..n)` with an inverted-dropout mask drawn from `rng`: 0 with probability `rate`, else
 * 1/(1 − rate). One uniform per entry, in order. The one definition every engine uses.
 */
export function fillDropoutMask(mask: FloatArray, n: number, rate: number, rng: Rng): void {
  const keep = 1 / (1 - rate);
  for (let i = 0; i < n; i++) mask[i] = rng.next() < rate ? 0 : keep;
}

/** The dropout masks of one direction of one recurrent layer (null when that dropout is off). */
export interface DirectionMasks {
  /** `[batch, inputSize]` */
  readonly input: Float32Array | null;
  /** `[batch, units]` */
  readonly recurrent: Float32Array | null;
}

/** The dropout masks of one training batch, batch-major, with the 1/(1 − rate) scale. */
export interface DropoutMasks {
  /** Per recurrent layer, per direction (forward, then backward when bidirectional). */
  readonly layers: readonly (readonly DirectionMasks[])[];
  /** `[batch, last layer's output size]`, or null without head dropout. */
  readonly head: Float32Array | null;
}

/** Whether a spec uses any dropout (input, recurrent or head). */
export function specHasDropout(spec: ModelSpec): boolean {
  return (
    (spec.headDropout ?? 0) > 0 || resolveLayers(spec).some((l) => l.dropout > 0 || l.recurrentDropout > 0)
  );
}

/**
 * Draws the dropout masks of one training batch of `batch` samples from `rng`, exactly as the math
 * engine does (same order, same values): per layer and direction the input mask then the recurrent
 * mask, then the head mask. With `rng = new Rng(seed).fork()` advanced once per training batch of a
 * spec that has dropout, every engine draws the math engine's masks.
 */
export function drawDropoutMasks(spec: ModelSpec, rng: Rng, batch: number): DropoutMasks {
  const draw = (width: number, rate: number): Float32Array | null => {
    if (!(rate > 0)) return null;
    const mask = new Float32Array(batch * width);
    fillDropoutMask(mask, mask.length, rate, rng);
    return mask;
  };
  const resolved = resolveLayers(spec);
  const layers = resolved.map((r) =>
    r.directions.map(() => {
      const input = draw(r.inputSize, r.dropout);
      const recurrent = draw(r.units, r.recurrentDropout);
      return { input, recurrent };
    }),
  );
  const head = draw(resolved[resolved.length - 1]!.outputSize, spec.headDropout ?? 0);
  return { layers, head };
}
