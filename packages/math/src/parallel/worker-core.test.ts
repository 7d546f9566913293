import { describe, expect, it } from 'vitest';
import { MathNetwork } from '../math-network';
import { REDUCTION_SHARDS } from '../reduction';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { weightLayout } from '../spec';
import type { SharedInputs, WorkerRequest } from './protocol';
import { splitBatch } from './shards';
import { ShardWorker } from './worker-core';

const spec: ModelSpec = { timeSteps: 4, features: 3, classes: 3, layers: [{ cell: 'gru', units: 5 }] };

describe('ShardWorker and the shard queue', () => {
  it('takes shards until the queue is used up: a worker that comes later takes none, and the gradients are the queue order’s', () => {
    const batch = 10;
    const rng = new Rng(4);
    const layout = weightLayout(spec);
    const params = new SharedArrayBuffer(layout.totalSize * 4);
    new Float32Array(params).set(
      Float32Array.from({ length: layout.totalSize }, () => rng.uniform(-0.5, 0.5)),
    );
    const grads = Array.from({ length: REDUCTION_SHARDS }, () => new SharedArrayBuffer(layout.totalSize * 4));
    const buffers: SharedInputs = {
      x: new SharedArrayBuffer(batch * 12 * 4),
      y: new SharedArrayBuffer(batch * 4),
      uniforms: new SharedArrayBuffer(0),
      weights: new SharedArrayBuffer(0),
      probs: new SharedArrayBuffer(batch * 3 * 4),
    };
    const x = new Float32Array(buffers.x);
    const y = new Int32Array(buffers.y);
    for (let i = 0; i < x.length; i++) x[i] = rng.uniform(-1, 1);
    for (let i = 0; i < batch; i++) y[i] = rng.int(3);
    const shards = splitBatch(batch, REDUCTION_SHARDS).map((s, index) => ({ index, ...s }));
    const queue = new SharedArrayBuffer(4);
    const request: WorkerRequest = {
      type: 'train',
      id: 1,
      buffers,
      batch,
      shards,
      queue,
      dropout: false,
      labelSmoothing: 0,
      weighted: false,
    };
    const init = { spec, params, grads };
    const first = new ShardWorker({ ...init, index: 0 }).handle(request);
    const second = new ShardWorker({ ...init, index: 1 }).handle(request);
    expect(first.type === 'trained' && first.results.map((r) => r.index)).toEqual([0, 1, 2, 3]);
    expect(second.type === 'trained' && second.results).toEqual([]);
    // Each shard's buffer holds that shard's mean gradient: a MathNetwork with the same weights,
    // trained on the shard alone with SGD at rate 1, moves its weights by exactly minus that gradient.
    for (const shard of shards) {
      const net = new MathNetwork(spec, { seed: 0, optimizer: { type: 'sgd', learningRate: 1 } });
      net.setWeights(
        layout.entries.map((e) => ({
          name: e.name,
          shape: [...e.shape],
          values: new Float32Array(params, e.offset * 4, e.size).slice(),
        })),
      );
      const sample = 12;
      const xs = x.slice(shard.start * sample, (shard.start + shard.size) * sample);
      net.trainBatchSync(xs, y.slice(shard.start, shard.start + shard.size), shard.size);
      const after = net.getWeights();
      const g = new Float32Array(grads[shard.index]!);
      const w = new Float32Array(params);
      let worst = 0;
      for (const [i, e] of layout.entries.entries()) {
        for (let j = 0; j < e.size; j++) {
          const moved = w[e.offset + j]! - after[i]!.values[j]!;
          worst = Math.max(worst, Math.abs(moved - g[e.offset + j]!));
        }
      }
      expect(worst, `shard ${shard.index}`).toBeLessThan(1e-6);
    }
  });
});
