// GRU-128 on MNIST-row shapes (batch 128, 28 steps, 28 features, 10 classes, Adam 1e-3), in one run:
// training and inference samples/s, one-image latency and peak memory of the math core (TypeScript
// kernels `math-js`, WebAssembly SIMD kernels `math-wasm`, the data-parallel engine over 1 and 2 worker
// threads `math-threads-N`) and of plain @tensorflow/tfjs (`tfjs-wasm`, `tfjs-cpu`), with ratios to
// tfjs-wasm; plus one full MNIST-sized epoch (60 000 samples) with the math engine on 1 and 2 threads
// (`epoch-N`). Every row runs in its own child process, so that its peak RSS is its own.
//
//   pnpm --filter @gruvision/bench bench                               # tables
//   pnpm --silent --filter @gruvision/bench bench -- --json            # one JSON document (--silent: no pnpm banner)
//   options: --seconds S        time budget per training measurement (default 6; inference gets S/2)
//            --only A,B,...     rows: math-js math-wasm tfjs-wasm tfjs-cpu math-threads-1 math-threads-2
//                               epoch-1 epoch-2, or the groups math, tfjs, math-threads, epoch
//            --epoch-samples N  samples in the epoch rows (default 60000)
//            --child            measure the one row given by --only in this process (used by the parent)
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  activeKernels,
  initKernels,
  MathNetwork,
  orthogonal,
  parameterCount,
  Rng,
  setKernels,
} from '@gruvision/math';
import {
  BATCH,
  type BenchResult,
  benchResult,
  benchSpec,
  CLASSES,
  FEATURES,
  log,
  median,
  peakMemoryMB,
  TIME_STEPS,
  time,
  UNITS,
} from './common';
import { benchEpoch, benchMathThreads, type EpochTiming } from './threads';

const ENGINE_ROWS = ['math-js', 'math-wasm', 'tfjs-wasm', 'tfjs-cpu', 'math-threads-1', 'math-threads-2'];
const EPOCH_ROWS = ['epoch-1', 'epoch-2'];
const GROUPS: Record<string, string[]> = {
  math: ['math-js', 'math-wasm'],
  tfjs: ['tfjs-wasm', 'tfjs-cpu'],
  'math-threads': ['math-threads-1', 'math-threads-2'],
  epoch: EPOCH_ROWS,
};

/** An engine row with the peak RSS of the child process that measured it. */
type EngineRow = BenchResult & { peakMemoryMB: number };
/** An epoch row: the engine, its timing and the peak RSS of its child process (the data included). */
type EpochRow = EpochTiming & { engine: string; peakMemoryMB: number };

const args = process.argv.slice(2);
const option = (name: string): string | undefined => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};
const json = args.includes('--json');
const child = args.includes('--child');
const budget = Number(option('--seconds') ?? 6);
const epochSamples = Number(option('--epoch-samples') ?? 60_000);
const onlyArg = option('--only');

function selectedRows(): string[] {
  if (onlyArg === undefined) return [...ENGINE_ROWS, ...EPOCH_ROWS];
  const rows = onlyArg.split(',').flatMap((name) => GROUPS[name] ?? [name]);
  const unknown = rows.filter((row) => !ENGINE_ROWS.includes(row) && !EPOCH_ROWS.includes(row));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown row ${unknown.join(', ')} in --only: use ${[...ENGINE_ROWS, ...EPOCH_ROWS, ...Object.keys(GROUPS)].join(', ')} (comma-separated).`,
    );
  }
  return rows;
}

// Synthetic MNIST-shaped data: speed does not depend on the values.
const rng = new Rng(1);
const x = new Float32Array(BATCH * TIME_STEPS * FEATURES);
for (let i = 0; i < x.length; i++) x[i] = rng.next();
const y = new Int32Array(BATCH);
for (let i = 0; i < BATCH; i++) y[i] = rng.int(CLASSES);
const x1 = x.subarray(0, TIME_STEPS * FEATURES);

/** The math core with the TypeScript (`js`) or WebAssembly SIMD (`wasm`) kernels. */
async function benchMath(kernels: 'js' | 'wasm'): Promise<BenchResult> {
  setKernels(kernels);
  await initKernels();
  const net = new MathNetwork(benchSpec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
  log(`math-${activeKernels()}: GRU-${UNITS}, ${parameterCount(benchSpec)} parameters; warming up`);
  net.trainBatchSync(x, y, BATCH);
  net.trainBatchSync(x, y, BATCH);
  const train = await time(() => void net.trainBatchSync(x, y, BATCH), budget, 3);
  net.predictSync(x, BATCH);
  const infer = await time(() => void net.predictSync(x, BATCH), budget / 2, 3);
  const out = new Float32Array(CLASSES);
  const latency = await median(() => void net.predictInto(x1, 1, out), 201);
  net.dispose();
  setKernels('auto');
  return benchResult(`math-${kernels}`, 1, BATCH, train, infer, latency);
}

async function benchTfjs(backend: 'cpu' | 'wasm'): Promise<BenchResult> {
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
  model.add(
    tf.layers.gru({ units: UNITS, recurrentActivation: 'sigmoid', inputShape: [TIME_STEPS, FEATURES] }),
  );
  model.add(tf.layers.dense({ units: CLASSES, activation: 'softmax' }));
  model.compile({ optimizer: tf.train.adam(1e-3), loss: 'sparseCategoricalCrossentropy' });
  const xs = tf.tensor3d(x, [BATCH, TIME_STEPS, FEATURES]);
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
  const x1s = tf.tensor3d(x1, [1, TIME_STEPS, FEATURES]);
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
  return benchResult(`tfjs-${backend}`, 1, BATCH, train, infer, latency);
}

/** Measures one row in this process; an epoch row is an `EpochRow`, every other row an `EngineRow`. */
async function measure(row: string): Promise<EngineRow | EpochRow> {
  if (row.startsWith('epoch-')) {
    const threads = Number(row.slice('epoch-'.length));
    const timing = await benchEpoch({ threads, samples: epochSamples, batch: BATCH }, log);
    return { engine: `math-threads-${threads}`, ...timing, peakMemoryMB: peakMemoryMB() };
  }
  let result: BenchResult;
  if (row === 'math-js' || row === 'math-wasm') result = await benchMath(row === 'math-js' ? 'js' : 'wasm');
  else if (row === 'tfjs-wasm' || row === 'tfjs-cpu')
    result = await benchTfjs(row === 'tfjs-cpu' ? 'cpu' : 'wasm');
  else {
    const threads = Number(row.slice('math-threads-'.length));
    [result] = (await benchMathThreads([threads], { spec: benchSpec, x, y, batch: BATCH }, budget, log)) as [
      BenchResult,
    ];
  }
  return { ...result, peakMemoryMB: peakMemoryMB() };
}

/** Runs this script again as `--child --only row --json` (same Node flags and loader) and parses its row. */
function measureInChild(row: string): Promise<EngineRow | EpochRow> {
  const script = fileURLToPath(import.meta.url);
  const childArgs = [
    '--child',
    '--json',
    '--only',
    row,
    '--seconds',
    String(budget),
    '--epoch-samples',
    String(epochSamples),
  ];
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [...process.execArgv, script, ...childArgs], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    let out = '';
    proc.stdout.setEncoding('utf8');
    proc.stdout.on('data', (chunk: string) => {
      out += chunk;
    });
    proc.on('error', reject);
    proc.on('close', (code, signal) => {
      if (code !== 0) {
        reject(new Error(`The ${row} row failed (exit ${code ?? signal}); its messages are above.`));
        return;
      }
      try {
        resolve(JSON.parse(out) as EngineRow | EpochRow);
      } catch (error) {
        reject(
          new Error(`The ${row} row printed no JSON row (got ${JSON.stringify(out.slice(0, 200))}).`, {
            cause: error,
          }),
        );
      }
    });
  });
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

/** Right-aligned columns (the first left-aligned) under a header. */
function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
}

async function main(): Promise<void> {
  const rows = selectedRows();
  if (child) {
    if (rows.length !== 1) throw new Error(`--child measures one row; got --only ${onlyArg ?? '(all)'}.`);
    process.stdout.write(`${JSON.stringify(await measure(rows[0]!))}\n`);
    return;
  }
  const started = performance.now();
  const orthogonalMs = timeOrthogonal();
  const engineRows: EngineRow[] = [];
  const epochRows: EpochRow[] = [];
  const failures: string[] = [];
  for (const row of rows) {
    try {
      const measured = await measureInChild(row);
      if (EPOCH_ROWS.includes(row)) epochRows.push(measured as EpochRow);
      else engineRows.push(measured as EngineRow);
    } catch (error) {
      failures.push((error as Error).message);
      log((error as Error).message);
    }
  }
  const ref = engineRows.find((r) => r.engine === 'tfjs-wasm');
  const results = engineRows.map((r) => ({
    ...r,
    trainRatioToWasm: ref ? r.trainSamplesPerSec / ref.trainSamplesPerSec : null,
    inferRatioToWasm: ref ? r.inferSamplesPerSec / ref.inferSamplesPerSec : null,
    trainCpuRatioToWasm: ref ? r.trainSamplesPerCpuSec / ref.trainSamplesPerCpuSec : null,
    inferCpuRatioToWasm: ref ? r.inferSamplesPerCpuSec / ref.inferSamplesPerCpuSec : null,
  }));
  const totalSeconds = (performance.now() - started) / 1000;
  if (failures.length > 0) process.exitCode = 1;
  if (json) {
    const doc = {
      benchmark: `GRU-${UNITS} MNIST rows`,
      shape: {
        batch: BATCH,
        timeSteps: TIME_STEPS,
        features: FEATURES,
        classes: CLASSES,
        units: UNITS,
        optimizer: 'adam',
      },
      node: process.version,
      secondsPerMeasurement: budget,
      totalSeconds,
      orthogonal128x384Ms: orthogonalMs,
      results,
      epochs: epochRows,
      failures,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const ratio = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}x`);
  const engineTable = formatTable(
    [
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
      'peak MB',
      'batches',
    ],
    results.map((r) => [
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
      r.peakMemoryMB.toFixed(0),
      `${r.trainBatches}/${r.inferBatches}`,
    ]),
  );
  const epochTable = formatTable(
    ['epoch', 'threads', 'samples', 'seconds', 'cpu-seconds', 'samples/s', 'final loss', 'peak MB'],
    epochRows.map((e) => [
      e.engine,
      String(e.threads),
      String(e.samples),
      e.seconds.toFixed(1),
      e.cpuSeconds.toFixed(1),
      e.samplesPerSec.toFixed(0),
      e.finalLoss.toFixed(4),
      e.peakMemoryMB.toFixed(0),
    ]),
  );
  process.stdout.write(
    [
      `GRU-${UNITS} on MNIST rows: batch ${BATCH}, ${TIME_STEPS} steps x ${FEATURES} features, ${CLASSES} classes, Adam (node ${process.version})`,
      'samples per second of wall-clock time (/s) and of process CPU time (/cpu-s); peak MB: peak RSS of the row’s own process',
      ...(results.length > 0 ? engineTable : []),
      ...(epochRows.length > 0
        ? ['', `one epoch, batch ${BATCH}, math engine (WASM kernels) over worker threads`, ...epochTable]
        : []),
      `math orthogonal initializer, ${UNITS}x${3 * UNITS}: ${orthogonalMs.toFixed(1)} ms (median of 7)`,
      `total ${totalSeconds.toFixed(0)} s`,
      ...failures.map((f) => `FAILED: ${f}`),
      '',
    ].join('\n'),
  );
}

await main();
