// Rows of the data-parallel math engine (`@gruvision/math/node`, worker_threads) for `run.ts`, and a
// full-epoch timing (`pnpm --filter @gruvision/bench bench:epoch -- --threads 2`). In run.ts the rows
// come with the others, or alone with `pnpm --filter @gruvision/bench bench -- --only math-threads`.
import { type ModelSpec, Rng } from '@gruvision/math';
import { type ParallelMathNetwork, parallelMathEngine } from '@gruvision/math/node';

/** One benchmark row of the parallel engine (the same fields as the other rows of run.ts, plus threads). */
export interface ThreadsResult {
  engine: string;
  threads: number;
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
  trainSamplesPerCpuSec: number;
  inferSamplesPerCpuSec: number;
  /** Median milliseconds of `predict` for one image (a round trip to one worker). */
  latencyMs: number;
  trainBatches: number;
  inferBatches: number;
}

interface Timing {
  perSec: number;
  perCpuSec: number;
  runs: number;
}

/** Runs `step` at least `minRuns` times and until `seconds` have passed (CPU time includes the workers). */
async function time(step: () => Promise<unknown>, seconds: number, minRuns: number): Promise<Timing> {
  const start = performance.now();
  const cpu = process.cpuUsage();
  let runs = 0;
  while (runs < minRuns || performance.now() - start < seconds * 1000) {
    await step();
    runs++;
  }
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { perSec: (runs * 1000) / wall, perCpuSec: (runs * 1e6) / (used.user + used.system), runs };
}

/**
 * Train and infer samples/s of `parallelMathEngine({ threads })` for each thread count, on batches
 * `x: [batch, T, F]`, `y: [batch]` (Adam 1e-3, seed 1), with `seconds` per training measurement.
 */
export async function benchMathThreads(
  threadCounts: readonly number[],
  data: { spec: ModelSpec; x: Float32Array; y: Int32Array; batch: number },
  seconds: number,
  log: (message: string) => void,
): Promise<ThreadsResult[]> {
  const { spec, x, y, batch } = data;
  const results: ThreadsResult[] = [];
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
      await net.predict(x, batch);
      const infer = await time(() => net.predict(x, batch), seconds / 2, 3);
      const one = x.subarray(0, spec.timeSteps * spec.features);
      const times: number[] = [];
      for (let i = 0; i < 52; i++) {
        const start = performance.now();
        await net.predict(one, 1);
        if (i >= 2) times.push(performance.now() - start);
      }
      results.push({
        engine: `math-threads-${threads}`,
        threads,
        trainSamplesPerSec: train.perSec * batch,
        inferSamplesPerSec: infer.perSec * batch,
        trainSamplesPerCpuSec: train.perCpuSec * batch,
        inferSamplesPerCpuSec: infer.perCpuSec * batch,
        latencyMs: times.sort((a, b) => a - b)[times.length >> 1]!,
        trainBatches: train.runs,
        inferBatches: infer.runs,
      });
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
