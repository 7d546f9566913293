// Rows of the data-parallel math engine (`@gruvision/math/node`, worker_threads) and the full-epoch
// timing, for `run.ts` (rows `math-threads-N`, `epoch-N`) and `epoch.ts`
// (`pnpm --filter @gruvision/bench bench:epoch -- --threads 2`).
import { type ModelSpec, Rng } from '@gruvision/math';
import { type ParallelMathNetwork, parallelMathEngine } from '@gruvision/math/node';
import { type BenchResult, benchResult, benchSpec, median, time } from './common';

/**
 * Train and infer samples/s of `parallelMathEngine({ threads })` for each thread count, on batches
 * `x: [batch, T, F]`, `y: [batch]` (Adam 1e-3, seed 1), with `seconds` per training measurement.
 */
export async function benchMathThreads(
  threadCounts: readonly number[],
  data: { spec: ModelSpec; x: Float32Array; y: Int32Array; batch: number },
  seconds: number,
  log: (message: string) => void,
): Promise<BenchResult[]> {
  const { spec, x, y, batch } = data;
  const results: BenchResult[] = [];
  for (const threads of threadCounts) {
    const net = await parallelMathEngine({ threads }).create(spec, {
      seed: 1,
      optimizer: { type: 'adam', learningRate: 1e-3 },
    });
    try {
      log(`math-threads-${threads}: warming up`);
      await net.trainBatch(x, y, batch);
      await net.trainBatch(x, y, batch);
      const train = await time(() => net.trainBatch(x, y, batch), seconds, 3);
      log(`math-threads-${threads}: ${net.activeThreads} of ${threads} worker(s) active after training`);
      await net.predict(x, batch);
      const infer = await time(() => net.predict(x, batch), seconds / 2, 3);
      // Median milliseconds of `predict` for one image (a round trip to one worker).
      const one = x.subarray(0, spec.timeSteps * spec.features);
      const latency = await median(() => net.predict(one, 1), 51);
      results.push(benchResult(`math-threads-${threads}`, threads, batch, train, infer, latency));
    } finally {
      net.dispose();
    }
  }
  return results;
}

/** Wall-clock and CPU seconds of one epoch over `samples` samples in shuffled batches of `batch`. */
export interface EpochTiming {
  threads: number;
  samples: number;
  batch: number;
  seconds: number;
  cpuSeconds: number;
  samplesPerSec: number;
  finalLoss: number;
}

/**
 * One full epoch of `net` over `x: [n, T, F]`, `y: [n]`: a seeded shuffle, then batches gathered into
 * one buffer and trained in order (the last batch may be smaller), as the classifier's `fit` does.
 */
export async function timeEpoch(
  net: ParallelMathNetwork,
  x: Float32Array,
  y: Int32Array,
  batch: number,
  seed: number,
): Promise<EpochTiming> {
  const n = y.length;
  const sample = net.spec.timeSteps * net.spec.features;
  const order = new Rng(seed).shuffle(Int32Array.from({ length: n }, (_, i) => i));
  const xb = new Float32Array(batch * sample);
  const yb = new Int32Array(batch);
  const start = performance.now();
  const cpu = process.cpuUsage();
  let loss = 0;
  for (let s = 0; s < n; s += batch) {
    const b = Math.min(batch, n - s);
    for (let i = 0; i < b; i++) {
      const j = order[s + i]!;
      xb.set(x.subarray(j * sample, (j + 1) * sample), i * sample);
      yb[i] = y[j]!;
    }
    loss = (await net.trainBatch(xb.subarray(0, b * sample), yb.subarray(0, b), b)).loss;
  }
  const seconds = (performance.now() - start) / 1000;
  const used = process.cpuUsage(cpu);
  return {
    threads: net.threads,
    samples: n,
    batch,
    seconds,
    cpuSeconds: (used.user + used.system) / 1e6,
    samplesPerSec: n / seconds,
    finalLoss: loss,
  };
}

/**
 * One full epoch of `samples` synthetic MNIST-shaped samples (uniform pixels, random labels: a step
 * costs the same for any values) with `parallelMathEngine({ threads })`, GRU-128, Adam 1e-3.
 */
export async function benchEpoch(
  options: { threads: number; samples: number; batch: number },
  log: (message: string) => void,
): Promise<EpochTiming> {
  const { threads, samples, batch } = options;
  const sample = benchSpec.timeSteps * benchSpec.features;
  const rng = new Rng(7);
  const x = new Float32Array(samples * sample);
  for (let i = 0; i < x.length; i++) x[i] = rng.next();
  const y = Int32Array.from({ length: samples }, () => rng.int(benchSpec.classes));
  const net = await parallelMathEngine({ threads }).create(benchSpec, {
    seed: 1,
    optimizer: { type: 'adam', learningRate: 1e-3 },
  });
  try {
    log(`epoch-${threads}: ${samples} samples, batch ${batch}, ${threads} thread(s)`);
    return await timeEpoch(net, x, y, batch, 1);
  } finally {
    net.dispose();
  }
}
