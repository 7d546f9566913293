// The peers of `pnpm bench --peers`, on the benchmark's model (GRU-128, 28 steps × 28 features, 10 classes):
// - onnxruntime-node and onnxruntime-web (its WebAssembly backend, run in Node), inference only, on the ONNX
//   fixture exported by PyTorch (`bench/fixtures/gru128-mnist-rows.onnx`, written by
//   `/usr/bin/python3 bench/python/torch-peer.py export-onnx`; to be replaced by @gruvision/interop's own
//   export once that package has an ONNX exporter);
// - PyTorch through Debian's python3-torch (`bench/python/torch-peer.py measure`), training and inference,
//   on OpenBLAS with OPENBLAS_NUM_THREADS = threads.
// A peer that is not installed gives a `SkippedRow` saying how to get it.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BATCH, FEATURES, log, median, peakMemoryMB, TIME_STEPS, time } from './common';

export const ONNX_FIXTURE = fileURLToPath(new URL('../fixtures/gru128-mnist-rows.onnx', import.meta.url));
export const TORCH_PEER = fileURLToPath(new URL('../python/torch-peer.py', import.meta.url));

/** A peer's measurement: the `BenchResult` fields, training null for inference-only peers. */
export interface PeerRow {
  engine: string;
  threads: number;
  trainSamplesPerSec: number | null;
  inferSamplesPerSec: number;
  trainSamplesPerCpuSec: number | null;
  inferSamplesPerCpuSec: number;
  latencyMs: number;
  trainBatches: number;
  inferBatches: number;
  peakMemoryMB: number;
}

/** A row that could not run here, with one line on how to get it. */
export interface SkippedRow {
  engine: string;
  skipped: string;
}

/** `ort-node-N`, `ort-web-N`, `pytorch-N`: the peer and its thread count, or null for another row name. */
export function parsePeerRow(
  row: string,
): { peer: 'ort-node' | 'ort-web' | 'pytorch'; threads: number } | null {
  const match = /^(ort-node|ort-web|pytorch)-([1-9]\d*)$/.exec(row);
  return match ? { peer: match[1] as 'ort-node' | 'ort-web' | 'pytorch', threads: Number(match[2]) } : null;
}

const ORT_HINT: Record<'ort-node' | 'ort-web', string> = {
  'ort-node':
    'get it with `ONNXRUNTIME_NODE_INSTALL=skip pnpm install` (onnxruntime-node is a devDependency of @gruvision/bench)',
  'ort-web': 'get it with `pnpm install` (onnxruntime-web is a devDependency of @gruvision/bench)',
};

/**
 * onnxruntime on the ONNX fixture, `threads` intra-op threads, sequential execution, all graph optimizations:
 * batch-`BATCH` inference samples/s and one-image latency.
 */
export async function benchOnnxruntime(
  peer: 'ort-node' | 'ort-web',
  threads: number,
  x: Float32Array,
  budget: number,
): Promise<PeerRow | SkippedRow> {
  const engine = `${peer}-${threads}`;
  if (!existsSync(ONNX_FIXTURE)) {
    return {
      engine,
      skipped: `no ONNX model at ${ONNX_FIXTURE}: write it with \`/usr/bin/python3 bench/python/torch-peer.py export-onnx\``,
    };
  }
  let ort: Pick<typeof import('onnxruntime-web'), 'env' | 'InferenceSession' | 'Tensor'>;
  try {
    ort = peer === 'ort-node' ? await import('onnxruntime-node') : await import('onnxruntime-web');
  } catch (error) {
    return {
      engine,
      skipped: `cannot load ${peer === 'ort-node' ? 'onnxruntime-node' : 'onnxruntime-web'} (${(error as Error).message.split('\n')[0]}): ${ORT_HINT[peer]}`,
    };
  }
  if (peer === 'ort-web') {
    // onnxruntime-web's wasm backend: multi-threaded builds start their own workers for numThreads > 1.
    ort.env.wasm.numThreads = threads;
  }
  const session = await ort.InferenceSession.create(readFileSync(ONNX_FIXTURE), {
    intraOpNumThreads: threads,
    interOpNumThreads: 1,
    executionMode: 'sequential',
    graphOptimizationLevel: 'all',
  });
  const input = session.inputNames[0]!;
  const batch = { [input]: new ort.Tensor('float32', x, [BATCH, TIME_STEPS, FEATURES]) };
  const one = {
    [input]: new ort.Tensor('float32', x.subarray(0, TIME_STEPS * FEATURES), [1, TIME_STEPS, FEATURES]),
  };
  log(
    `${engine}: ${peer === 'ort-node' ? 'onnxruntime-node' : 'onnxruntime-web (wasm)'}, ${threads} thread(s); warming up`,
  );
  await session.run(batch);
  const infer = await time(() => session.run(batch), budget / 2, 3);
  const latency = await median(() => session.run(one), 201);
  await session.release();
  return {
    engine,
    threads,
    trainSamplesPerSec: null,
    inferSamplesPerSec: infer.perSec * BATCH,
    trainSamplesPerCpuSec: null,
    inferSamplesPerCpuSec: infer.perCpuSec * BATCH,
    latencyMs: latency,
    trainBatches: 0,
    inferBatches: infer.runs,
    peakMemoryMB: peakMemoryMB(),
  };
}

/** The Python with torch: $GRUVISION_PYTHON, else Debian's /usr/bin/python3 (python3-torch), else `python3`. */
export function pythonCommand(): string {
  return process.env.GRUVISION_PYTHON ?? (existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3');
}

/**
 * The command that measures the PyTorch row (prints one JSON row), or a `SkippedRow` when that Python cannot
 * import torch. OpenBLAS's pthread build (Debian's libopenblas0-pthread) is put first on LD_LIBRARY_PATH
 * where it exists, with OPENBLAS_NUM_THREADS (and OMP_NUM_THREADS) = threads.
 */
export function torchCommand(
  threads: number,
  budget: number,
): { command: string; args: string[]; env: NodeJS.ProcessEnv } | SkippedRow {
  const python = pythonCommand();
  const engine = `pytorch-${threads}`;
  const check = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
  if (check.error !== undefined || check.status !== 0) {
    return {
      engine,
      skipped: `${python} cannot import torch: get it with \`apt-get install python3-torch libopenblas0-pthread\` (Debian), or point GRUVISION_PYTHON at a Python that has torch`,
    };
  }
  const triplet = process.arch === 'arm64' ? 'aarch64-linux-gnu' : 'x86_64-linux-gnu';
  const openblas = `/usr/lib/${triplet}/openblas-pthread`;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(threads),
    OMP_NUM_THREADS: String(threads),
  };
  if (existsSync(openblas)) {
    env.LD_LIBRARY_PATH = [openblas, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':');
  }
  return {
    command: python,
    args: [TORCH_PEER, 'measure', '--threads', String(threads), '--seconds', String(budget)],
    env,
  };
}
