/// <reference types="vite/client" />
// The page of `pnpm bench --browser` (driven by ../browser.ts through Playwright): one GRU-128 model on
// MNIST-row shapes in every engine of the page, the same weights in all of them: the math core on its
// WebAssembly SIMD kernels (`math-wasm`: relaxed SIMD where Chromium has it; `math-wasm-simd`: the
// plain-SIMD GEMM), the math engine over N Web Workers (`math-threads-N`), and onnxruntime-web's wasm
// backend on one thread (`ort-web-1`) running the ONNX file @gruvision/interop exports from the math
// model. The page only measures what it is asked (`window.gruBench`); the Node side interleaves the
// calls, reads the CPU time of the page's process around them and prints the table.
import { modelToOnnx, ONNX_INPUT_NAME, ONNX_OUTPUT_NAME } from '@gruvision/interop';
import { MathNetwork, Rng, viewScale } from '@gruvision/math';
import { browserParallelMathEngine, type ParallelMathNetwork } from '@gruvision/math/browser';
import { initKernels, setKernels, setRelaxedSimd, wasmRelaxedSimdSupported } from '@gruvision/math/kernels';
import workerUrl from '@gruvision/math/parallel-browser-worker?worker&url';
import * as ort from 'onnxruntime-web/wasm';
import { BATCH, benchSpec, CLASSES, FEATURES, median, TIME_STEPS, timeRuns } from '../common';
import { AGREEMENT_TOLERANCE, type Agreement, type Measure, type PageInfo } from './protocol';

const view = { mode: 'rows' as const };
const { scale, shift } = viewScale(view);
const rng = new Rng(1);
/** Pixel images `[BATCH, 28, 28, 1]` (0–255): what the ONNX model takes. */
const pixels = Float32Array.from({ length: BATCH * TIME_STEPS * FEATURES }, () => rng.int(256));
/** The same images as the math core's sequences: the ONNX graph's Mul and Add, in float32. */
const x = Float32Array.from(pixels, (p) => Math.fround(Math.fround(p * Math.fround(scale)) + shift));
const x1 = x.subarray(0, TIME_STEPS * FEATURES);
const y = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
const options = { seed: 1, optimizer: { type: 'adam' as const, learningRate: 1e-3 } };

interface Engine {
  /** Called before each measurement (the kernel flavor is process-wide). */
  select(): Promise<void>;
  train?: () => unknown;
  infer(images: 'batch' | 'one'): Promise<Float32Array>;
}

const engines = new Map<string, Engine>();
let session: ort.InferenceSession;

function ortEngine(): Engine {
  const feeds = (images: 'batch' | 'one') => {
    const n = images === 'batch' ? BATCH : 1;
    const data = images === 'batch' ? pixels : pixels.subarray(0, TIME_STEPS * FEATURES);
    return { [ONNX_INPUT_NAME]: new ort.Tensor('float32', data, [n, TIME_STEPS, FEATURES, 1]) };
  };
  const batch = feeds('batch');
  const one = feeds('one');
  return {
    select: async () => undefined,
    infer: async (images) => {
      const out = await session.run(images === 'batch' ? batch : one);
      return out[ONNX_OUTPUT_NAME]!.data as Float32Array;
    },
  };
}

function mathEngineRow(relaxed: boolean): Engine {
  const net = new MathNetwork(benchSpec, options);
  const out = new Float32Array(BATCH * CLASSES);
  const out1 = new Float32Array(CLASSES);
  return {
    select: async () => {
      setRelaxedSimd(relaxed);
      await initKernels();
    },
    train: () => net.trainBatchSync(x, y, BATCH),
    infer: async (images) =>
      images === 'batch' ? net.predictInto(x, BATCH, out) : net.predictInto(x1, 1, out1),
  };
}

function workersRow(net: ParallelMathNetwork): Engine {
  return {
    select: async () => {
      setRelaxedSimd(true);
      await initKernels();
    },
    train: () => net.trainBatch(x, y, BATCH),
    infer: (images) => (images === 'batch' ? net.predict(x, BATCH) : net.predict(x1, 1)),
  };
}

/** Builds the engines of `rows` (all with the weights of `MathNetwork(benchSpec, { seed: 1 })`). */
async function setup(rows: readonly string[]): Promise<PageInfo> {
  setKernels('wasm');
  await initKernels();
  const reference = new MathNetwork(benchSpec, options);
  const onnx = modelToOnnx({
    spec: benchSpec,
    weights: reference.getWeights(),
    input: { height: TIME_STEPS, width: FEATURES, channels: 1 },
    view,
    classNames: Array.from({ length: CLASSES }, (_, i) => String(i)),
    preprocess: 'none',
  });
  reference.dispose();
  ort.env.wasm.numThreads = 1;
  ort.env.wasm.simd = true;
  session = await ort.InferenceSession.create(onnx, {
    executionProviders: ['wasm'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  for (const row of rows) {
    const threads = /^math-threads-([1-9]\d*)$/.exec(row);
    if (row === 'ort-web-1') engines.set(row, ortEngine());
    else if (row === 'math-wasm' || row === 'math-wasm-simd')
      engines.set(row, mathEngineRow(row === 'math-wasm'));
    else if (threads) {
      const engine = browserParallelMathEngine({ threads: Number(threads[1]), workerUrl });
      engines.set(row, workersRow(await engine.create(benchSpec, options)));
    } else throw new Error(`The browser bench has no row ${row}.`);
  }
  return {
    userAgent: navigator.userAgent,
    crossOriginIsolated: globalThis.crossOriginIsolated === true,
    relaxedSimd: wasmRelaxedSimdSupported(),
    ortVersion: ort.env.versions.web ?? 'unknown',
    onnxBytes: onnx.length,
  };
}

function engine(row: string): Engine {
  const found = engines.get(row);
  if (!found) throw new Error(`Row ${row} was not set up.`);
  return found;
}

/** Every engine's probabilities against ort-web-1's for the batch and for one image (before any training). */
async function agreement(): Promise<Agreement> {
  const ortRow = engine('ort-web-1');
  const reference = { batch: await ortRow.infer('batch'), one: Float32Array.from(await ortRow.infer('one')) };
  const maxAbsDiff: Record<string, number> = {};
  for (const [row, e] of engines) {
    if (row === 'ort-web-1') continue;
    await e.select();
    let max = 0;
    for (const images of ['batch', 'one'] as const) {
      const got = await e.infer(images);
      const want = reference[images];
      if (got.length < want.length)
        throw new Error(`${row} gave ${got.length} probabilities, not ${want.length}.`);
      // NaN fails the check too: `!(d <= max)` is true for it.
      for (let i = 0; i < want.length; i++) {
        const d = Math.abs(got[i]! - want[i]!);
        if (!(d <= max)) max = Number.isNaN(d) ? Number.POSITIVE_INFINITY : d;
      }
    }
    maxAbsDiff[row] = max;
  }
  return {
    images: BATCH + 1,
    maxAbsDiff,
    tolerance: AGREEMENT_TOLERANCE,
    passed: Object.values(maxAbsDiff).every((d) => d <= AGREEMENT_TOLERANCE),
  };
}

/**
 * One measurement of `row`: batch-`BATCH` training or inference steps for `seconds` (at least 3 steps;
 * runs and wall-clock ms), or the median ms of `latencyRuns` one-image predictions.
 */
async function measure(
  row: string,
  what: Measure,
  seconds: number,
  latencyRuns: number,
): Promise<{ runs: number; ms: number }> {
  const e = engine(row);
  await e.select();
  if (what === 'latency') return { runs: latencyRuns, ms: await median(() => e.infer('one'), latencyRuns) };
  const step = what === 'train' ? e.train : () => e.infer('batch');
  if (!step) throw new Error(`${row} does not train.`);
  await step();
  return timeRuns(step, seconds, 3);
}

const api = { setup, agreement, measure };
export type GruBench = typeof api;
(globalThis as unknown as { gruBench: GruBench }).gruBench = api;
document.getElementById('status')!.textContent = 'ready';
document.body.dataset.ready = 'true';
