// GRU-128 on MNIST-row shapes (batch 128, 28 steps, 28 features, 10 classes, Adam 1e-3):
// training and inference samples/s and one-image latency of the math core (TypeScript kernels `math-js`,
// WebAssembly SIMD kernels `math-wasm`) and of plain @tensorflow/tfjs (cpu, wasm), in one run.
//
//   pnpm --filter @gruvision/bench bench            # table
//   pnpm --silent --filter @gruvision/bench bench -- --json  # one JSON document (--silent: no pnpm banner)
//   options: --seconds S (time budget per measurement, default 8), --only math|math-js|math-wasm|tfjs-wasm|tfjs-cpu
import { createRequire } from 'node:module';
import path from 'node:path';
import {
  activeKernels,
  initKernels,
  MathNetwork,
  type ModelSpec,
  orthogonal,
  parameterCount,
  Rng,
  setKernels,
} from '@gruvision/math';

const BATCH = 128;
const T = 28;
const F = 28;
const CLASSES = 10;
const UNITS = 128;

interface Result {
  engine: string;
  /** Threads doing the work (every row here runs on the main thread only). */
  threads: number;
  /** Samples per second of wall-clock time. */
  trainSamplesPerSec: number;
  inferSamplesPerSec: number;
  /** Samples per second of this process's CPU time (user + system): robust on a shared, loaded machine. */
  trainSamplesPerCpuSec: number;
  inferSamplesPerCpuSec: number;
  /** Median milliseconds to predict one image (batch 1). */
  latencyMs: number;
  trainBatches: number;
  inferBatches: number;
}

const args = process.argv.slice(2);
const json = args.includes('--json');
const secondsArg = args.indexOf('--seconds');
const budget = secondsArg >= 0 ? Number(args[secondsArg + 1]) : 8;
const onlyArg = args.indexOf('--only');
const only = onlyArg >= 0 ? args[onlyArg + 1] : undefined;

const log = (message: string): void => {
  process.stderr.write(`${message}\n`);
};

// Synthetic MNIST-shaped data: speed does not depend on the values.
const rng = new Rng(1);
const x = new Float32Array(BATCH * T * F);
for (let i = 0; i < x.length; i++) x[i] = rng.next();
const y = new Int32Array(BATCH);
for (let i = 0; i < BATCH; i++) y[i] = rng.int(CLASSES);

interface Timing {
  /** Runs per wall-clock second. */
  perSec: number;
  /** Runs per second of process CPU time. */
  perCpuSec: number;
  runs: number;
}

/** Runs `step` at least `minRuns` times and until `seconds` have passed. */
async function time(step: () => Promise<void> | void, seconds: number, minRuns: number): Promise<Timing> {
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

/** Median milliseconds of `step` over `runs` runs (after two warm-up runs). */
async function median(step: () => Promise<void> | void, runs: number): Promise<number> {
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

const x1 = x.subarray(0, T * F);

function result(engine: string, train: Timing, infer: Timing, latencyMs: number): Result {
  return {
    engine,
    threads: 1,
    latencyMs,
    trainSamplesPerSec: train.perSec * BATCH,
    inferSamplesPerSec: infer.perSec * BATCH,
    trainSamplesPerCpuSec: train.perCpuSec * BATCH,
    inferSamplesPerCpuSec: infer.perCpuSec * BATCH,
    trainBatches: train.runs,
    inferBatches: infer.runs,
  };
}

/** The math core with the TypeScript (`js`) or WebAssembly SIMD (`wasm`) kernels. */
async function benchMath(kernels: 'js' | 'wasm'): Promise<Result> {
  const spec: ModelSpec = {
    timeSteps: T,
    features: F,
    classes: CLASSES,
    layers: [{ cell: 'gru', units: UNITS }],
  };
  setKernels(kernels);
  await initKernels();
  const net = new MathNetwork(spec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
  log(`math-${activeKernels()}: GRU-${UNITS}, ${parameterCount(spec)} parameters; warming up`);
  net.trainBatchSync(x, y, BATCH);
  net.trainBatchSync(x, y, BATCH);
  const train = await time(() => void net.trainBatchSync(x, y, BATCH), budget, 3);
  net.predictSync(x, BATCH);
  const infer = await time(() => void net.predictSync(x, BATCH), budget / 2, 3);
  const out = new Float32Array(CLASSES);
  const latency = await median(() => void net.predictInto(x1, 1, out), 201);
  net.dispose();
  setKernels('auto');
  return result(`math-${kernels}`, train, infer, latency);
}

async function benchTfjs(backend: 'cpu' | 'wasm'): Promise<Result> {
  const tf = await import('@tensorflow/tfjs');
  if (backend === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    wasm.setWasmPaths(`${dist}${path.sep}`);
  }
  await tf.setBackend(backend);
  await tf.ready();
  const model = tf.sequential();
  model.add(tf.layers.gru({ units: UNITS, recurrentActivation: 'sigmoid', inputShape: [T, F] }));
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const xs = tf.tensor3d(x, [BATCH, T, F]);
  const ys = tf.tensor2d(Float32Array.from(y), [BATCH, 1]);
  const trainStep = async (): Promise<void> => {
    await model.trainOnBatch(xs, ys);
  };
  const inferStep = async (): Promise<void> => {
    const p = model.predict(xs) as import('@tensorflow/tfjs').Tensor;
    await p.data();
    p.dispose();
  };
  // tfjs-cpu trains ~15 samples/s: a single timed batch already takes several seconds.
  const slow = backend === 'cpu';
  log(`tfjs-${backend}: warming up`);
  await trainStep();
  const train = await time(trainStep, slow ? 0 : budget, slow ? 2 : 3);
  await inferStep();
  const infer = await time(inferStep, slow ? 0 : budget / 2, slow ? 2 : 3);
  const x1s = tf.tensor3d(x1, [1, T, F]);
  const latency = await median(
    async () => {
      const p = model.predict(x1s) as import('@tensorflow/tfjs').Tensor;
      await p.data();
      p.dispose();
    },
    slow ? 3 : 21,
  );
  x1s.dispose();
  xs.dispose();
  ys.dispose();
  model.dispose();
  return result(`tfjs-${backend}`, train, infer, latency);
}

/** Median milliseconds of the math core's orthogonal initializer on a 128×384 recurrent kernel. */
function timeOrthogonal(): number {
  const w = new Float32Array(UNITS * 3 * UNITS);
  const times: number[] = [];
  for (let i = 0; i < 7; i++) {
    const start = performance.now();
    orthogonal(w, UNITS, 3 * UNITS, new Rng(i));
    times.push(performance.now() - start);
  }
  return times.sort((a, b) => a - b)[3]!;
}

async function main(): Promise<void> {
  const orthogonalMs = timeOrthogonal();
  const results: Result[] = [];
  if (only === undefined || only === 'math' || only === 'math-js') results.push(await benchMath('js'));
  if (only === undefined || only === 'math' || only === 'math-wasm') results.push(await benchMath('wasm'));
  if (only === undefined || only === 'tfjs-wasm') results.push(await benchTfjs('wasm'));
  if (only === undefined || only === 'tfjs-cpu') results.push(await benchTfjs('cpu'));
  if (only === undefined || only === 'math-threads') {
    // The data-parallel engine over worker threads, 1 and 2 threads (rows math-threads-N; see threads.ts).
    const { benchMathThreads } = await import('./threads');
    const spec: ModelSpec = {
      timeSteps: T,
      features: F,
      classes: CLASSES,
      layers: [{ cell: 'gru', units: UNITS }],
    };
    results.push(...(await benchMathThreads([1, 2], { spec, x, y, batch: BATCH }, budget, log)));
  }
  const ref = results.find((r) => r.engine === 'tfjs-wasm');
  const rows = results.map((r) => ({
    ...r,
    trainRatioToWasm: ref ? r.trainSamplesPerSec / ref.trainSamplesPerSec : null,
    inferRatioToWasm: ref ? r.inferSamplesPerSec / ref.inferSamplesPerSec : null,
    trainCpuRatioToWasm: ref ? r.trainSamplesPerCpuSec / ref.trainSamplesPerCpuSec : null,
    inferCpuRatioToWasm: ref ? r.inferSamplesPerCpuSec / ref.inferSamplesPerCpuSec : null,
  }));
  if (json) {
    const doc = {
      benchmark: `GRU-${UNITS} MNIST rows`,
      shape: { batch: BATCH, timeSteps: T, features: F, classes: CLASSES, units: UNITS, optimizer: 'adam' },
      node: process.version,
      orthogonal128x384Ms: orthogonalMs,
      results: rows,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const ratio = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}x`);
  const header = [
    'engine',
    'train/s',
    'vs wasm',
    'infer/s',
    'vs wasm',
    'train/cpu-s',
    'vs wasm',
    'infer/cpu-s',
    'vs wasm',
    'latency ms',
    'batches',
  ];
  const table = rows.map((r) => [
    r.engine,
    r.trainSamplesPerSec.toFixed(1),
    ratio(r.trainRatioToWasm),
    r.inferSamplesPerSec.toFixed(1),
    ratio(r.inferRatioToWasm),
    r.trainSamplesPerCpuSec.toFixed(1),
    ratio(r.trainCpuRatioToWasm),
    r.inferSamplesPerCpuSec.toFixed(1),
    ratio(r.inferCpuRatioToWasm),
    r.latencyMs.toFixed(3),
    `${r.trainBatches}/${r.inferBatches}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...table.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  process.stdout.write(
    [
      `GRU-${UNITS} on MNIST rows: batch ${BATCH}, ${T} steps x ${F} features, ${CLASSES} classes, Adam (node ${process.version})`,
      'samples per second of wall-clock time (/s) and of process CPU time (/cpu-s)',
      line(header),
      ...table.map(line),
      `math orthogonal initializer, ${UNITS}x${3 * UNITS}: ${orthogonalMs.toFixed(1)} ms (median of 7)`,
      '',
    ].join('\n'),
  );
}

await main();
