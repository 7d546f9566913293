import { GruMathError } from '../errors';
import { MAX_CHUNK, NetworkCore } from '../network';
import { shardGradient } from '../reduction';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol';
import { dropoutMaskWidths } from './shards';

/**
 * The environment-independent half of a parallel worker: a Float32 `NetworkCore` that copies the
 * shared parameters before each request, takes shards from the batch's shard queue and computes their
 * gradients into the shards' shared gradient buffers, and shard probabilities into the shared output. No L2, clipping or optimizer here: the main thread
 * applies them once to the reduced gradient.
 */
export class ShardWorker {
  private readonly core: NetworkCore;
  private readonly params: Float32Array;
  private readonly grads: Float32Array[];
  private readonly widths: number[];

  constructor(init: WorkerInit) {
    this.core = new NetworkCore(init.spec, 'float32');
    this.params = new Float32Array(init.params);
    this.grads = init.grads.map((b) => new Float32Array(b));
    this.widths = dropoutMaskWidths(init.spec);
  }

  /** Runs one request; never throws (errors become an `error` reply). */
  handle(request: WorkerRequest): WorkerReply {
    try {
      return request.type === 'train' ? this.train(request) : this.predict(request);
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      return {
        type: 'error',
        id: request.id,
        name: e.name,
        message: e.message,
        ...(GruMathError.isInstance(e) ? { code: e.code } : {}),
      };
    }
  }

  private train(request: Extract<WorkerRequest, { type: 'train' }>): WorkerReply {
    const { spec } = this.core;
    const { buffers, batch } = request;
    const sample = spec.timeSteps * spec.features;
    const core = this.core;
    core.params.set(this.params);
    const x = new Float32Array(buffers.x, 0, batch * sample);
    const y = new Int32Array(buffers.y, 0, batch);
    const uniforms = request.dropout ? new Float64Array(buffers.uniforms) : null;
    const queue = new Int32Array(request.queue);
    const w = request.weighted ? new Float32Array(buffers.weights, 0, batch) : null;
    const results: { index: number; loss: number; correct: number }[] = [];
    for (;;) {
      const shard = request.shards[Atomics.add(queue, 0, 1)];
      if (shard === undefined) break;
      const r = shardGradient(core, x, y, batch, shard, uniforms, this.widths, request.labelSmoothing, w);
      this.grads[shard.index]!.set(core.grads);
      results.push({ index: shard.index, loss: r.loss, correct: r.correct });
    }
    return { type: 'trained', id: request.id, results };
  }

  private predict(request: Extract<WorkerRequest, { type: 'predict' }>): WorkerReply {
    const { spec } = this.core;
    const { buffers, start, size } = request;
    const sample = spec.timeSteps * spec.features;
    const C = spec.classes;
    const core = this.core;
    core.params.set(this.params);
    const x = new Float32Array(buffers.x);
    const out = new Float32Array(buffers.probs);
    for (let s = start; s < start + size; s += MAX_CHUNK) {
      const n = Math.min(MAX_CHUNK, start + size - s);
      core.forward(x.subarray(s * sample, (s + n) * sample), n, false);
      out.set(core.probs.subarray(0, n * C), s * C);
    }
    return { type: 'predicted', id: request.id };
  }
}
