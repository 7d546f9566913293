import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { NamedWeights, NetworkOptions } from '../engine/contract';
import { GruMathError } from '../errors';
import { MathNetwork } from '../math-network';
import { REDUCTION_SHARDS } from '../reduction';
import { Rng } from '../rng';
import type { ModelSpec } from '../spec';
import { parallelMathEngine } from './node-engine';
import { type ParallelMathNetwork, reduceGradients, SMALL_BATCH_PER_THREAD } from './parallel-network';

const spec: ModelSpec = {
  timeSteps: 5,
  features: 4,
  classes: 3,
  layers: [
    { cell: 'gru', units: 6, dropout: 0.2, recurrentDropout: 0.1 },
    { cell: 'gru', units: 5, bidirectional: true },
  ],
  headDropout: 0.25,
};
const options: NetworkOptions = {
  seed: 11,
  optimizer: { type: 'adam', learningRate: 0.01 },
  clipNorm: 0.5,
  l2: 1e-3,
  labelSmoothing: 0.1,
};

function data(batch: number, seed: number): { x: Float32Array; y: Int32Array } {
  const rng = new Rng(seed);
  const x = Float32Array.from({ length: batch * 20 }, () => rng.uniform(-1, 1));
  const y = Int32Array.from({ length: batch }, () => rng.int(3));
  return { x, y };
}

const bytes = (weights: NamedWeights): number[] =>
  weights.flatMap((w) => Array.from(new Uint8Array(w.values.buffer)));

const open: ParallelMathNetwork[] = [];
async function create(
  threads: number,
  opts: NetworkOptions = options,
  netSpec: ModelSpec = spec,
): Promise<ParallelMathNetwork> {
  const net = await parallelMathEngine({ threads }).create(netSpec, opts);
  open.push(net);
  return net;
}
afterEach(() => {
  for (const net of open.splice(0)) net.dispose();
});

/** Trains `net` on batches of sizes 7, 8, 1, 7 (odd sizes, one smaller than the thread count). */
async function trainSteps(net: { trainBatch: MathNetwork['trainBatch'] }): Promise<number[]> {
  const losses: number[] = [];
  for (const [i, batch] of [7, 8, 1, 7].entries()) {
    const { x, y } = data(batch, 100 + i);
    losses.push((await net.trainBatch(x, y, batch)).loss);
  }
  return losses;
}

describe('parallelMathEngine', () => {
  it('is the math engine with a thread count, and checks its options', () => {
    const engine = parallelMathEngine({ threads: 2 });
    expect(engine.name).toBe('math');
    expect(engine.threads).toBe(2);
    expect(parallelMathEngine().threads).toBeGreaterThanOrEqual(1);
    expect(() => parallelMathEngine({ threads: 0 })).toThrow(
      'threads must be an integer from 1 to 256, got 0. Use the number of CPU cores (os.availableParallelism()).',
    );
    expect(() => parallelMathEngine({ threads: 2, workerUrl: 'parallel-worker.js' })).toThrow(
      'workerUrl must be a URL (e.g. new URL(\'./parallel-worker.js\', import.meta.url) or a file:// string), got "parallel-worker.js".',
    );
  });

  it('with 1 thread gives bit-identical losses, weights, predictions and optimizer state to MathNetwork', async () => {
    const net = await create(1);
    const ref = new MathNetwork(spec, options);
    expect(bytes(net.getWeights())).toEqual(bytes(ref.getWeights()));
    expect(await trainSteps(net)).toEqual(await trainSteps(ref));
    expect(bytes(net.getWeights())).toEqual(bytes(ref.getWeights()));
    const { x } = data(9, 5);
    expect(Array.from(await net.predict(x, 9))).toEqual(Array.from(await ref.predict(x, 9)));
    const a = net.getOptimizerState();
    const b = ref.getOptimizerState();
    expect(a.step).toBe(4);
    expect(Array.from(a.slots.m!)).toEqual(Array.from(b.slots.m!));
    const sample = x.subarray(0, 20);
    const [ta, tb] = [await net.trace(sample), await ref.trace(sample)];
    expect(Array.from(ta.stepProbabilities)).toEqual(Array.from(tb.stepProbabilities));
  });

  it('1, 2, 3 and 4 threads and MathNetwork give bit-identical losses, weights and optimizer state', async () => {
    // The batch is always cut into REDUCTION_SHARDS shards, summed in shard order: the thread count
    // only decides which thread computes which shard (odd batch sizes and a batch of 1 included).
    expect(REDUCTION_SHARDS).toBe(4);
    const ref = new MathNetwork(spec, options);
    const refLosses = await trainSteps(ref);
    const refBytes = bytes(ref.getWeights());
    for (const threads of [1, 2, 3, 4]) {
      const net = await create(threads);
      expect(net.threads).toBe(threads);
      expect(await trainSteps(net), `${threads} threads`).toEqual(refLosses);
      expect(bytes(net.getWeights()), `${threads} threads`).toEqual(refBytes);
      expect(Array.from(net.getOptimizerState().slots.v!)).toEqual(
        Array.from(ref.getOptimizerState().slots.v!),
      );
    }
  });

  it('keeps the bits while the number of working threads changes (30 batches, through a trial on one worker)', async () => {
    const net = await create(2);
    const ref = new MathNetwork(spec, options);
    const active = new Set<number>();
    for (let i = 0; i < 30; i++) {
      const { x, y } = data(8, 200 + i);
      active.add(net.activeThreads);
      expect((await net.trainBatch(x, y, 8)).loss, `batch ${i}`).toBe((await ref.trainBatch(x, y, 8)).loss);
    }
    expect(active).toEqual(new Set([1, 2]));
    expect(bytes(net.getWeights())).toEqual(bytes(ref.getWeights()));
  });

  it('per-sample loss weights: 1 and 3 threads and MathNetwork agree bit for bit, and the weights are checked', async () => {
    const weighted = async (net: { trainBatch: MathNetwork['trainBatch'] }): Promise<number[]> => {
      const losses: number[] = [];
      for (const [i, batch] of [7, 1, 8].entries()) {
        const { x, y } = data(batch, 200 + i);
        const w = Float32Array.from({ length: batch }, (_, k) => [0.5, 2, 0, 1.25][k % 4]!);
        losses.push((await net.trainBatch(x, y, batch, w)).loss);
      }
      return losses;
    };
    const ref = new MathNetwork(spec, options);
    const refLosses = await weighted(ref);
    const plain = new MathNetwork(spec, options);
    expect(await trainSteps(plain)).not.toEqual(refLosses);
    for (const threads of [1, 3]) {
      const net = await create(threads);
      expect(await weighted(net), `${threads} threads`).toEqual(refLosses);
      expect(bytes(net.getWeights()), `${threads} threads`).toEqual(bytes(ref.getWeights()));
    }
    const net = await create(2);
    const { x, y } = data(3, 1);
    await expect(net.trainBatch(x, y, 3, Float32Array.of(1, 2))).rejects.toThrow(
      'weights has 2 values but shape [batch=3] needs 3. Pass one loss weight per sample.',
    );
    await expect(net.trainBatch(x, y, 3, Float32Array.of(1, -1, 1))).rejects.toThrow(
      expect.objectContaining({
        code: 'INVALID_ARGUMENT',
        message: 'weights[1] is -1, but loss weights must be finite numbers ≥ 0 (0 leaves a sample out).',
      }),
    );
    expect(() => ref.trainBatchSync(x, y, 3, [1, 1, 1] as never)).toThrow(
      expect.objectContaining({ code: 'SHAPE_MISMATCH' }),
    );
  });

  it('loss weights of 2 double the gradient of the unweighted loss (Σ wᵢ·lossᵢ / B)', () => {
    const plainOptions: NetworkOptions = { seed: 3 };
    const net = new MathNetwork(
      { ...spec, headDropout: 0, layers: [{ cell: 'gru', units: 4 }] },
      plainOptions,
    );
    const { x, y } = data(5, 9);
    const one = net.computeGradients(x, y, 5);
    const two = net.computeGradients(x, y, 5, new Float32Array(5).fill(2));
    expect(two.loss).toBeCloseTo(2 * one.loss, 6);
    two.gradients.forEach((g, i) => {
      expect(Array.from(g.values)).toEqual(Array.from(one.gradients[i]!.values, (v) => 2 * v));
    });
  });

  it('with 2 threads predicts what MathNetwork predicts (up to float rounding)', async () => {
    const net = await create(2);
    const ref = new MathNetwork(spec, options);
    const { x } = data(11, 6);
    const [pa, pb] = [await net.predict(x, 11), await ref.predict(x, 11)];
    pa.forEach((p, i) => {
      expect(Math.abs(p - pb[i]!)).toBeLessThan(1e-5);
    });
    // Small batches (fewer than SMALL_BATCH_PER_THREAD per thread) run on the main thread.
    expect(SMALL_BATCH_PER_THREAD * 2).toBeGreaterThan(3);
    const [sa, sb] = [await net.predict(x.subarray(0, 60), 3), await ref.predict(x.subarray(0, 60), 3)];
    expect(Array.from(sa)).toEqual(Array.from(await net.predict(x, 11)).slice(0, 9));
    sa.forEach((p, i) => {
      expect(Math.abs(p - sb[i]!)).toBeLessThan(1e-5);
    });
  });

  it('a sharded step is the full-batch mean gradient up to float rounding', async () => {
    // SGD with learning rate 1 and no dropout: the weight change is minus the reduced gradient.
    const plain: ModelSpec = { ...spec, layers: [{ cell: 'gru', units: 6 }], headDropout: 0 };
    const sgd: NetworkOptions = { seed: 3, optimizer: { type: 'sgd', learningRate: 1 } };
    const net = new MathNetwork(plain, sgd);
    const { x, y } = data(10, 9);
    const full = net.computeGradients(x, y, 10).gradients;
    const before = net.getWeights();
    await net.trainBatch(x, y, 10);
    net.getWeights().forEach((w, i) => {
      w.values.forEach((v, j) => {
        const step = before[i]!.values[j]! - v;
        expect(Math.abs(step - full[i]!.values[j]!), w.name).toBeLessThan(1e-6);
      });
    });
  });

  it('is deterministic: the same seed and thread count give the same bytes', async () => {
    const [a, b] = [await create(2), await create(2)];
    expect(await trainSteps(a)).toEqual(await trainSteps(b));
    expect(bytes(a.getWeights())).toEqual(bytes(b.getWeights()));
    expect(bytes(a.getWeights())).not.toEqual(
      bytes((await create(2, { ...options, seed: 12 })).getWeights()),
    );
  });

  it('runs concurrent calls one at a time and supports weights, learning rate and optimizer state', async () => {
    // No dropout here: a copy made by setWeights + setOptimizerState does not share the dropout stream.
    const plain: ModelSpec = { timeSteps: 5, features: 4, classes: 3, layers: [{ cell: 'gru', units: 6 }] };
    const net = await create(2, options, plain);
    const ref = await create(2, options, plain);
    const batches = [data(6, 1), data(6, 2)];
    // Not awaited one by one: the network queues them in call order.
    const queued = await Promise.all(batches.map(({ x, y }) => net.trainBatch(x, y, 6)));
    for (const [i, { x, y }] of batches.entries()) expect(await ref.trainBatch(x, y, 6)).toEqual(queued[i]);
    const copy = await create(2, options, plain);
    copy.setWeights(net.getWeights());
    copy.setOptimizerState(net.getOptimizerState());
    const { x, y } = data(6, 3);
    net.setLearningRate(0.002);
    copy.setLearningRate(0.002);
    await net.trainBatch(x, y, 6);
    await copy.trainBatch(x, y, 6);
    expect(bytes(copy.getWeights())).toEqual(bytes(net.getWeights()));
    expect(() => net.setLearningRate(-1)).toThrow('learningRate must be a positive finite number, got -1.');
    await expect(net.trainBatch(x, y, 5)).rejects.toThrow('x has 120 values but shape');
  });

  it('rejects use after dispose with a clear message', async () => {
    const net = await create(2);
    net.dispose();
    const { x, y } = data(2, 1);
    await expect(net.trainBatch(x, y, 2)).rejects.toThrow(
      'This network was disposed. Create a new one with parallelMathEngine().create().',
    );
    expect(() => net.getWeights()).toThrow(GruMathError);
  });
});

describe('reduceGradients', () => {
  it('sums weighted shard gradients in float64 in the given order', () => {
    const out = new Float32Array(2);
    reduceGradients(out, [
      { weight: 0.75, grads: Float32Array.of(1, 2) },
      { weight: 0.25, grads: Float32Array.of(3, -2) },
    ]);
    expect(Array.from(out)).toEqual([1.5, 1]);
    const g = Float32Array.of(0.1, -0.3);
    reduceGradients(out, [{ weight: 1, grads: g }]);
    expect(Array.from(out)).toEqual(Array.from(g));
    reduceGradients(out, [
      { weight: 0.5, grads: Float32Array.of(2, 2) },
      { weight: 0.25, grads: Float32Array.of(4, 0) },
      { weight: 0.25, grads: Float32Array.of(0, 4) },
    ]);
    expect(Array.from(out)).toEqual([2, 2]);
  });
});

describe('worker failures', () => {
  const fixture = (name: string): URL => new URL(`../__fixtures__/${name}`, import.meta.url);

  it('fails to create with WORKER_FAILED when the worker script is missing', async () => {
    const error = await parallelMathEngine({ threads: 2, workerUrl: fixture('no-such-worker.js') })
      .create(spec, options)
      .catch((e: unknown) => e);
    expect(GruMathError.isInstance(error)).toBe(true);
    expect((error as GruMathError).code).toBe('WORKER_FAILED');
    expect((error as Error).message).toMatch(
      /^Parallel worker 0 of 2 failed to start from .*no-such-worker\.js: .*Check that the worker script exists/,
    );
  });

  it('turns an error inside a worker into a GruMathError, and a dead worker into WORKER_FAILED', async () => {
    const net = await parallelMathEngine({ threads: 2, workerUrl: fixture('failing-worker.ts') }).create(
      spec,
      options,
    );
    open.push(net);
    const { x, y } = data(4, 1);
    await expect(net.trainBatch(x, y, 4)).rejects.toThrow(
      'Parallel worker 0 of 2 failed: RangeError: shard buffer too small',
    );
    const big = data(8, 2).x; // 8 samples on 2 threads go to the workers
    const dead = await net.predict(big, 8).catch((e: unknown) => e);
    expect((dead as GruMathError).code).toBe('WORKER_FAILED');
    expect((dead as Error).message).toMatch(
      /^Parallel worker [01] of 2 stopped: it exited with code 3\. The network cannot continue; dispose it and create a new one\.$/,
    );
    // Every later call reports the same failure.
    await expect(net.trainBatch(x, y, 4)).rejects.toThrow('The network cannot continue');
  });
});

describe('process lifetime', () => {
  const run = promisify(execFile);
  const script = fileURLToPath(new URL('../__fixtures__/exit-after-training.ts', import.meta.url));
  const node = (args: string[]) =>
    run(process.execPath, ['--conditions=@gruvision/source', '--import', 'tsx', script, ...args], {
      cwd: fileURLToPath(new URL('../..', import.meta.url)),
      // A hang is what this catches (a process kept alive forever by its workers): 90 s is far from the
      // ~3 s a quiet machine takes, and tsx's start-up alone took 26–44 s at load 30.
      timeout: 90_000,
    });

  it('exits after dispose, and also when a network is left undisposed (idle workers are unref’ed)', async () => {
    const [disposed, kept] = await Promise.all([node([]), node(['keep'])]);
    expect(disposed.stdout).toMatch(/^threads=2 loss=\d+\.\d{6}\n$/);
    expect(kept.stdout).toBe(disposed.stdout);
  }, 120_000);
});
