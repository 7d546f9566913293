// GRU-128 on MNIST-row shapes (batch 128, 28 steps, 28 features, 10 classes, Adam 1e-3), in one run:
// training and inference samples/s, one-image latency and peak memory of the math core (TypeScript
// kernels `math-js`, WebAssembly SIMD kernels `math-wasm`, the data-parallel engine over 1 and 2 worker
// threads `math-threads-N`) and of plain @tensorflow/tfjs (`tfjs-wasm`, `tfjs-cpu`), with ratios to
// tfjs-wasm; plus one full MNIST-sized epoch (60 000 samples) with the math engine on 1 and 2 threads
// (`epoch-N`). Every row runs in its own child process, so that its peak RSS is its own.
// With --peers: the math core against its native and WebAssembly peers in the same run (`peers.ts`):
// PyTorch + OpenBLAS (`pytorch-N`, training and inference), onnxruntime-node and onnxruntime-web's wasm
// backend (`ort-node-N`, `ort-web-N`, inference) and tfjs-wasm, in one table of ratios to the peers.
//
//   pnpm --filter @gruvision/bench bench                               # tables
//   pnpm --silent --filter @gruvision/bench bench -- --json            # one JSON document (--silent: no pnpm banner)
//   pnpm bench --peers                                                 # the peers table (from the root too)
//   options: --seconds S        time budget per training measurement (default 6; inference gets S/2)
//            --only A,B,...     rows: math-js math-wasm math-wasm-simd tfjs-wasm tfjs-cpu math-threads-N
//                               epoch-N pytorch-N ort-node-N ort-web-N (N threads), or the groups math,
//                               tfjs, math-threads, epoch, peers, relaxed
//            --peers            the rows of the group peers (unless --only says otherwise) and the peers table
//            --browser          the browser table (Chromium: $CHROMIUM_PATH or /usr/bin/chromium)
//            --rounds R         run the whole list of rows R times, interleaved (row 1, 2, …, 1, 2, …), and
//                               report each row's median per measure (default 1)
//            --epoch-samples N  samples in the epoch rows (default 60000)
//            --child            measure the one row given by --only in this process (used by the parent)
// PyTorch runs in Debian's /usr/bin/python3 (python3-torch) unless GRUVISION_PYTHON names another Python.
// math-wasm uses relaxed SIMD where the runtime has it (Node 22+; Node 20: run with
// `node --experimental-wasm-relaxed-simd`); math-wasm-simd forces the plain-SIMD GEMM.
// With --browser: the same model in one page of headless Chromium (`browser.ts`): math-wasm,
// math-wasm-simd, math-threads-2 (Web Workers) and onnxruntime-web (`ort-web-1`), after a check that
// their class probabilities agree; --only picks among those rows (math-threads-N for any N).
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MathNetwork, orthogonal, parameterCount, Rng } from '@gruvision/math';
import {
  activeKernels,
  initKernels,
  setKernels,
  setRelaxedSimd,
  wasmGemmFlavor,
} from '@gruvision/math/kernels';
import {
  agreementText,
  BROWSER_BENCHMARK,
  BROWSER_ROWS,
  browserBench,
  browserMissing,
  browserTable,
  isBrowserRow,
} from './browser';
import {
  BATCH,
  type BenchResult,
  benchResult,
  benchSpec,
  CLASSES,
  FEATURES,
  log,
  median,
  optionValue,
  peakMemoryMB,
  TIME_STEPS,
  time,
  UNITS,
} from './common';
import { benchOnnxruntime, type PeerRow, parsePeerRow, type SkippedRow, torchCommand } from './peers';
import {
  type EngineRow,
  type EpochRow,
  type Measured,
  medianRow,
  NODE_PEERS_TABLE,
  printEngines,
  printPeers,
} from './report';
import { benchEpoch, benchMathThreads } from './threads';

const ENGINE_ROWS = ['math-js', 'math-wasm', 'tfjs-wasm', 'tfjs-cpu', 'math-threads-1', 'math-threads-2'];
const EPOCH_ROWS = ['epoch-1', 'epoch-2'];
const GROUPS: Record<string, string[]> = {
  math: ['math-js', 'math-wasm'],
  tfjs: ['tfjs-wasm', 'tfjs-cpu'],
  'math-threads': ['math-threads-1', 'math-threads-2'],
  epoch: EPOCH_ROWS,
  peers: ['math-wasm', 'pytorch-1', 'ort-node-1', 'ort-web-1', 'tfjs-wasm', 'math-threads-2'],
  relaxed: ['math-wasm', 'math-wasm-simd'],
};

/** Rows accepted by --only besides the fixed ones: any thread count N ≥ 1. */
function knownRow(row: string): boolean {
  return (
    ENGINE_ROWS.includes(row) ||
    EPOCH_ROWS.includes(row) ||
    row === 'math-wasm-simd' ||
    /^(math-threads|epoch)-[1-9]\d*$/.test(row) ||
    parsePeerRow(row) !== null
  );
}

const args = process.argv.slice(2);
const option = (name: string): string | undefined => optionValue(args, name);
const json = args.includes('--json');
const child = args.includes('--child');
const budget = Number(option('--seconds') ?? 6);
const peersMode = args.includes('--peers');
const browserMode = args.includes('--browser');
const rounds = Number(option('--rounds') ?? 1);
const epochSamples = Number(option('--epoch-samples') ?? 60_000);
const onlyArg = option('--only');

function selectedRows(): string[] {
  if (browserMode) {
    const rows = onlyArg?.split(',') ?? [...BROWSER_ROWS];
    const unknown = rows.filter((row) => !isBrowserRow(row));
    if (unknown.length > 0) {
      throw new Error(
        `Unknown row ${unknown.join(', ')} in --only with --browser: use ${BROWSER_ROWS.join(', ')} (comma-separated; math-threads-N for N Web Workers).`,
      );
    }
    return [...new Set(rows)];
  }
  if (onlyArg === undefined) return peersMode ? GROUPS.peers! : [...ENGINE_ROWS, ...EPOCH_ROWS];
  const rows = onlyArg.split(',').flatMap((name) => GROUPS[name] ?? [name]);
  const unknown = rows.filter((row) => !knownRow(row));
  if (unknown.length > 0) {
    throw new Error(
      `Unknown row ${unknown.join(', ')} in --only: use ${[...ENGINE_ROWS, 'math-wasm-simd', ...EPOCH_ROWS, 'pytorch-N', 'ort-node-N', 'ort-web-N', ...Object.keys(GROUPS)].join(', ')} (comma-separated; N threads).`,
    );
  }
  return [...new Set(rows)];
}

// Synthetic MNIST-shaped data: speed does not depend on the values.
const rng = new Rng(1);
const x = new Float32Array(BATCH * TIME_STEPS * FEATURES);
for (let i = 0; i < x.length; i++) x[i] = rng.next();
const y = new Int32Array(BATCH);
for (let i = 0; i < BATCH; i++) y[i] = rng.int(CLASSES);
const x1 = x.subarray(0, TIME_STEPS * FEATURES);

/**
 * The math core with the TypeScript (`js`) or WebAssembly SIMD (`wasm`) kernels; `plainSimd` forbids the
 * relaxed-SIMD GEMM (row math-wasm-simd).
 */
async function benchMath(kernels: 'js' | 'wasm', plainSimd = false): Promise<BenchResult> {
  setKernels(kernels);
  setRelaxedSimd(!plainSimd);
  await initKernels();
  const net = new MathNetwork(benchSpec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
  const gemm =
    activeKernels() === 'wasm'
      ? ` (GEMM: ${wasmGemmFlavor() === 'relaxed' ? 'relaxed SIMD' : 'plain SIMD'})`
      : '';
  log(`math-${activeKernels()}${gemm}: GRU-${UNITS}, ${parameterCount(benchSpec)} parameters; warming up`);
  net.trainBatchSync(x, y, BATCH);
  net.trainBatchSync(x, y, BATCH);
  const train = await time(() => void net.trainBatchSync(x, y, BATCH), budget, 3);
  net.predictSync(x, BATCH);
  const infer = await time(() => void net.predictSync(x, BATCH), budget / 2, 3);
  const out = new Float32Array(CLASSES);
  const latency = await median(() => void net.predictInto(x1, 1, out), 201);
  net.dispose();
  setKernels('auto');
  setRelaxedSimd(true);
  return benchResult(`math-${kernels}${plainSimd ? '-simd' : ''}`, 1, BATCH, train, infer, latency);
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

/** Measures one row in this process; an epoch row is an `EpochRow`, a peer row a `PeerRow` or `SkippedRow`. */
async function measure(row: string): Promise<Measured> {
  const peer = parsePeerRow(row);
  if (peer !== null && peer.peer !== 'pytorch') return benchOnnxruntime(peer.peer, peer.threads, x, budget);
  if (row.startsWith('epoch-')) {
    const threads = Number(row.slice('epoch-'.length));
    const timing = await benchEpoch({ threads, samples: epochSamples, batch: BATCH }, log);
    return { engine: `math-threads-${threads}`, ...timing, peakMemoryMB: peakMemoryMB() };
  }
  let result: BenchResult;
  if (row === 'math-js' || row === 'math-wasm' || row === 'math-wasm-simd')
    result = await benchMath(row === 'math-js' ? 'js' : 'wasm', row === 'math-wasm-simd');
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

/**
 * Runs this script again as `--child --only row --json` (same Node flags and loader) and parses its row; the
 * PyTorch rows run `bench/python/torch-peer.py` instead.
 */
function measureInChild(row: string): Promise<Measured> {
  const script = fileURLToPath(import.meta.url);
  const peer = parsePeerRow(row);
  let command = process.execPath;
  let commandArgs: string[] | undefined;
  let env: NodeJS.ProcessEnv = process.env;
  if (peer?.peer === 'pytorch') {
    const torch = torchCommand(peer.threads, budget);
    if ('skipped' in torch) return Promise.resolve(torch);
    ({ command, args: commandArgs, env } = torch);
  }
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
    const proc = spawn(command, commandArgs ?? [...process.execArgv, script, ...childArgs], {
      stdio: ['ignore', 'pipe', 'inherit'],
      env,
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
        resolve(JSON.parse(out) as Measured);
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

/** `--browser`: the rows in one page of headless Chromium, or one line saying how to get Chromium. */
async function mainBrowser(rows: string[]): Promise<void> {
  const settings = { json, budget, rounds };
  const missing = browserMissing();
  if (missing !== null) {
    if (json)
      printPeers([], [missing], [], 0, settings, { ...NODE_PEERS_TABLE, benchmark: BROWSER_BENCHMARK });
    else log(`skipped the browser bench: ${missing.skipped}`);
    return;
  }
  const started = performance.now();
  const result = await browserBench({ budget, rows, rounds, log });
  const failures = result.agreement.passed
    ? []
    : [
        `the class probabilities disagree with onnxruntime-web's: ${agreementText(result.agreement)}; nothing was measured`,
      ];
  printPeers(result.rows, [], failures, (performance.now() - started) / 1000, settings, browserTable(result));
}

async function main(): Promise<void> {
  const rows = selectedRows();
  if (browserMode) return mainBrowser(rows);
  if (child) {
    if (rows.length !== 1) throw new Error(`--child measures one row; got --only ${onlyArg ?? '(all)'}.`);
    process.stdout.write(`${JSON.stringify(await measure(rows[0]!))}\n`);
    return;
  }
  const started = performance.now();
  const orthogonalMs = timeOrthogonal();
  const measuredRows = new Map<string, Measured[]>();
  const skipped: SkippedRow[] = [];
  const failures: string[] = [];
  for (let round = 0; round < rounds; round++) {
    if (rounds > 1) log(`round ${round + 1} of ${rounds}`);
    for (const row of rows) {
      if (skipped.some((s) => s.engine === row)) continue;
      try {
        const measured = await measureInChild(row);
        if ('skipped' in measured) {
          skipped.push(measured);
          log(`${row}: skipped: ${measured.skipped}`);
        } else {
          measuredRows.set(row, [...(measuredRows.get(row) ?? []), measured]);
        }
      } catch (error) {
        failures.push((error as Error).message);
        log((error as Error).message);
      }
    }
  }
  const engineRows: (EngineRow | PeerRow)[] = [];
  const epochRows: EpochRow[] = [];
  for (const [row, list] of measuredRows) {
    if (row.startsWith('epoch-')) epochRows.push(medianRow(list) as EpochRow);
    else engineRows.push(medianRow(list) as EngineRow | PeerRow);
  }
  if (peersMode || rows.some((row) => parsePeerRow(row) !== null)) {
    printPeers(engineRows, skipped, failures, (performance.now() - started) / 1000, { json, budget, rounds });
    return;
  }
  printEngines(engineRows as EngineRow[], epochRows, skipped, failures, orthogonalMs, started, {
    json,
    budget,
    rounds,
  });
}

await main();
