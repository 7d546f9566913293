// Shared by the bench entry points: the benchmark shape, one result row, and the timing helpers.
import type { ModelSpec } from '@gruvision/math';

/** GRU-128 on MNIST rows: batch 128, 28 steps × 28 features, 10 classes. */
export const BATCH = 128;
export const TIME_STEPS = 28;
export const FEATURES = 28;
export const CLASSES = 10;
export const UNITS = 128;

export const benchSpec: ModelSpec = {
  timeSteps: TIME_STEPS,
  features: FEATURES,
  classes: CLASSES,
  layers: [{ cell: 'gru', units: UNITS }],
};

/** One benchmark row: an engine measured on batches of `BATCH` (Adam 1e-3, seed 1). */
export interface BenchResult {
  engine: string;
  /** Threads doing the work (1 for every engine but the data-parallel `math-threads-N`). */
  threads: number;
  /** Samples per second of wall-clock time. */
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
  /** Samples per second of this process's CPU time (user + system, all threads): robust on a loaded machine. */
  trainSamplesPerCpuSec: number;
  inferSamplesPerCpuSec: number;
  /** Median milliseconds to predict one image (batch 1). */
  latencyMs: number;
  trainBatches: number;
  inferBatches: number;
}

export interface Timing {
  /** Runs per wall-clock second. */
  perSec: number;
  /** Runs per second of process CPU time (includes worker threads). */
  perCpuSec: number;
  runs: number;
}

/**
 * Runs `step` at least `minRuns` times and until `seconds` have passed: the runs and the wall-clock
 * milliseconds they took (no Node API: the browser bench's page times with it too).
 */
export async function timeRuns(
  step: () => unknown,
  seconds: number,
  minRuns: number,
): Promise<{ runs: number; ms: number }> {
  const start = performance.now();
  let runs = 0;
  while (runs < minRuns || performance.now() - start < seconds * 1000) {
    await step();
    runs++;
  }
  return { runs, ms: performance.now() - start };
}

/** Runs `step` at least `minRuns` times and until `seconds` have passed. */
export async function time(step: () => unknown, seconds: number, minRuns: number): Promise<Timing> {
  const cpu = process.cpuUsage();
  const { runs, ms } = await timeRuns(step, seconds, minRuns);
  const used = process.cpuUsage(cpu);
  return { perSec: (runs * 1000) / ms, perCpuSec: (runs * 1e6) / (used.user + used.system), runs };
}

/** Median milliseconds of `step` over `runs` runs (after two warm-up runs). */
export async function median(step: () => unknown, runs: number): Promise<number> {
  await step();
  await step();
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await step();
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[runs >> 1]!;
}

/** A row from the train and infer timings of batches of `batch` samples. */
export function benchResult(
  engine: string,
  threads: number,
  batch: number,
  train: Timing,
  infer: Timing,
  latencyMs: number,
): BenchResult {
  return {
    engine,
    threads,
    trainSamplesPerSec: train.perSec * batch,
    inferSamplesPerSec: infer.perSec * batch,
    trainSamplesPerCpuSec: train.perCpuSec * batch,
    inferSamplesPerCpuSec: infer.perCpuSec * batch,
    latencyMs,
    trainBatches: train.runs,
    inferBatches: infer.runs,
  };
}

/** Peak resident set size of this process so far, in MB (`maxRSS` is in KiB). */
export function peakMemoryMB(): number {
  return process.resourceUsage().maxRSS / 1024;
}

/** Progress goes to stderr so that `--json` leaves stdout to the one JSON document. */
export function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

/** The command-line value after `name` (e.g. `--seconds 4`), or undefined when `name` is not given. */
export function optionValue(args: readonly string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}
