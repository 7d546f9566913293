import { describe, expect, it } from 'vitest';
import { NetworkCore } from '../network';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { drawDropoutUniforms, dropoutMaskWidths, ReplayRng, shardUniforms, splitBatch } from './shards';

describe('splitBatch', () => {
  it('splits into contiguous shards whose sizes differ by at most one', () => {
    expect(splitBatch(128, 2)).toEqual([
      { start: 0, size: 64 },
      { start: 64, size: 64 },
    ]);
    expect(splitBatch(7, 3)).toEqual([
      { start: 0, size: 3 },
      { start: 3, size: 2 },
      { start: 5, size: 2 },
    ]);
    expect(splitBatch(1, 2)).toEqual([
      { start: 0, size: 1 },
      { start: 1, size: 0 },
    ]);
  });
});

describe('shard dropout uniforms', () => {
  const spec: ModelSpec = {
    timeSteps: 3,
    features: 4,
    classes: 2,
    layers: [
      { cell: 'gru', units: 3, dropout: 0.3, recurrentDropout: 0.2, bidirectional: true },
      { cell: 'lstm', units: 2, recurrentDropout: 0.4 },
    ],
    headDropout: 0.5,
  };

  it('lists mask widths in the order sampleDropoutMasks draws them', () => {
    // layer 1: 2 directions × (input 4, recurrent 3); layer 2: recurrent 2; head 2.
    expect(dropoutMaskWidths(spec)).toEqual([4, 3, 4, 3, 2, 2]);
    expect(
      dropoutMaskWidths({ timeSteps: 2, features: 2, classes: 2, layers: [{ cell: 'gru', units: 2 }] }),
    ).toEqual([]);
  });

  it('gives every shard exactly its rows of the whole-batch masks', () => {
    const B = 5;
    const widths = dropoutMaskWidths(spec);
    const all = new Float64Array(B * widths.reduce((a, w) => a + w, 0));
    const drawn = drawDropoutUniforms(new Rng(4), widths, B, all);
    expect(drawn).toBe(all.length);
    // Whole batch, drawn directly by the core from the same seed.
    const full = new NetworkCore(spec, 'float32');
    full.sampleDropoutMasks(new Rng(4), B);
    const x = Float32Array.from({ length: B * 12 }, (_, i) => Math.cos(i));
    full.setWeights(
      full.getWeights().map((w) => ({ ...w, values: w.values.map((_, i) => Math.sin(i) * 0.3) })),
    );
    full.forward(x, B, true);
    const expected = Float32Array.from(full.probs.subarray(0, B * 2));
    for (const shard of splitBatch(B, 2)) {
      const core = new NetworkCore(spec, 'float32');
      core.params.set(full.params);
      const replay = new ReplayRng(shardUniforms(all, widths, B, shard));
      core.sampleDropoutMasks(replay, shard.size);
      expect(replay.used).toBe(shard.size * widths.reduce((a, w) => a + w, 0));
      core.forward(x.subarray(shard.start * 12, (shard.start + shard.size) * 12), shard.size, true);
      expect(Array.from(core.probs.subarray(0, shard.size * 2))).toEqual(
        Array.from(expected.subarray(shard.start * 2, (shard.start + shard.size) * 2)),
      );
    }
  });

  it('ReplayRng refuses to draw past its values', () => {
    const r = new ReplayRng(Float64Array.of(0.25));
    expect(r.next()).toBe(0.25);
    expect(() => r.next()).toThrow('ReplayRng ran out of its 1 uniforms.');
  });
});
