import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { ENGINE_NAMES, type EngineName, resolveEngine } from '@gruvision/classifier';
import { type ModelSpec, parameterCount, Rng } from '@gruvision/math';
import { parallelMathEngine } from '@gruvision/math/node';
import { CliError } from '../errors';
import { choice, list, positiveInt, positiveNumber } from '../options';
import type { RegisterCommand } from '../program';
import { formatCount, formatTable } from '../ui/format';
import { Output } from '../ui/io';
import { addJsonOption } from './shared';

/** One engine's throughput, in the row format `pnpm bench` also prints. */
export interface BenchRow {
  readonly engine: string;
  readonly threads: number;
  readonly trainSamplesPerSec: number;
  readonly inferSamplesPerSec: number;
  readonly latencyMs: number;
}

/** Runs `step` at least `minRuns` times and for at least `seconds`; returns runs per second. */
async function rate(step: () => Promise<unknown>, seconds: number, minRuns: number): Promise<number> {
  const start = performance.now();
  let runs = 0;
  while (runs < minRuns || performance.now() - start < seconds * 1000) {
    await step();
    runs++;
  }
  return (runs * 1000) / (performance.now() - start);
}

/** Times training, batch inference and one-image latency of an engine on MNIST-row shapes. */
export async function benchEngine(
  name: EngineName,
  options: { units: number; batchSize: number; seconds: number; threads: number },
): Promise<BenchRow> {
  const engine =
    options.threads > 1 ? parallelMathEngine({ threads: options.threads }) : await resolveEngine(name);
  const spec: ModelSpec = {
    timeSteps: 28,
    features: 28,
    classes: 10,
    layers: [{ cell: 'gru', units: options.units }],
  };
  const network = await engine.create(spec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
  try {
    const B = options.batchSize;
    const rng = new Rng(2);
    const x = Float32Array.from({ length: B * 28 * 28 }, () => rng.next());
    const y = Int32Array.from({ length: B }, () => rng.int(10));
    const one = x.subarray(0, 28 * 28);
    // Warm-up: JIT, buffers, backend kernels.
    await network.trainBatch(x, y, B);
    await network.predict(x, B);
    await network.predict(one, 1);
    const train = await rate(() => network.trainBatch(x, y, B), options.seconds, 2);
    const infer = await rate(() => network.predict(x, B), options.seconds, 2);
    const single = await rate(() => network.predict(one, 1), Math.min(1, options.seconds), 3);
    return {
      engine: engine.name,
      threads: options.threads,
      trainSamplesPerSec: train * B,
      inferSamplesPerSec: infer * B,
      latencyMs: 1000 / single,
    };
  } finally {
    network.dispose();
  }
}

/**
 * The peer bench of a gruvision checkout (`bench/src/run.ts`, whose peers, onnxruntime and PyTorch, are not
 * dependencies of the CLI): searched upwards from each of `from`; null when none of them is inside a checkout.
 */
export function findPeerBench(from: readonly string[]): string | null {
  for (const start of from) {
    let dir = path.resolve(start);
    for (;;) {
      const run = path.join(dir, 'bench', 'src', 'run.ts');
      if (existsSync(run) && existsSync(path.join(dir, 'pnpm-workspace.yaml'))) return run;
      const parent = path.dirname(dir);
      if (parent === dir) break;
      dir = parent;
    }
  }
  return null;
}

/** Runs the checkout's `bench/src/run.ts --peers` (its output goes straight to this terminal). */
async function runPeerBench(options: { json: boolean; seconds: number }): Promise<void> {
  const run = findPeerBench([process.cwd(), path.dirname(fileURLToPath(import.meta.url))]);
  if (run === null) {
    throw new CliError(
      `gruvision bench --peers runs the peer bench of a gruvision source checkout (bench/src/run.ts; onnxruntime and PyTorch are not dependencies of the CLI), and there is none above ${process.cwd()}. Run it inside a checkout after \`pnpm install\`: \`pnpm gruvision bench --peers\` or \`pnpm bench --peers\`.`,
    );
  }
  const relaxed = process.execArgv.filter((a) => a === '--experimental-wasm-relaxed-simd');
  const args = [
    ...relaxed,
    '--import',
    'tsx',
    '--conditions=@gruvision/source',
    run,
    '--peers',
    '--seconds',
    String(options.seconds),
    ...(options.json ? ['--json'] : []),
  ];
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, args, { cwd: path.dirname(path.dirname(run)), stdio: 'inherit' });
    child.on('error', reject);
    child.on('close', resolve);
  });
  if (code !== 0)
    throw new CliError(`the peer bench (${run}) failed with exit code ${code}; its messages are above.`);
}

const BENCH_ENGINES = ENGINE_NAMES.filter((e) => e === 'math' || e === 'tfjs-cpu' || e === 'tfjs-wasm');

export const registerBench: RegisterCommand = (program, context) => {
  const command = program
    .command('bench')
    .description(
      'measure training and inference throughput of each engine on this machine (GRU on MNIST-row shapes)',
    )
    .option(
      '--engines <list>',
      `engines to time, comma-separated: ${BENCH_ENGINES.join(',')}`,
      list(choice(BENCH_ENGINES)),
      ['math', 'tfjs-wasm'],
    )
    .option('--units <n>', 'GRU hidden units', positiveInt, 128)
    .option('--batch-size <n>', 'batch size of the throughput runs', positiveInt, 128)
    .option('--seconds <s>', 'time spent on each measurement', positiveNumber, 3)
    .option(
      '--threads <list>',
      'worker-thread counts to time the math engine with, comma-separated',
      list(positiveInt),
      [1, 2],
    )
    .option(
      '--peers',
      'instead: the math engine against PyTorch, onnxruntime-node and onnxruntime-web in one run, with ratios (in a gruvision checkout: runs bench/src/run.ts --peers)',
    );
  addJsonOption(command);
  command.addHelpText(
    'after',
    `
Examples:
  $ gruvision bench
  $ gruvision bench --engines math,tfjs-wasm,tfjs-cpu --seconds 5 --json
  $ gruvision bench --engines math --threads 1,2,4
  $ gruvision bench --peers --seconds 6`,
  );
  command.action(async (raw: Record<string, unknown>) => {
    if (raw.peers === true) {
      await runPeerBench({ json: Boolean(raw.json), seconds: raw.seconds as number });
      return;
    }
    const output = new Output(context.io, Boolean(raw.json));
    const units = raw.units as number;
    const batchSize = raw.batchSize as number;
    const spec: ModelSpec = { timeSteps: 28, features: 28, classes: 10, layers: [{ cell: 'gru', units }] };
    output.log(
      `GRU-${units} (${formatCount(parameterCount(spec))} parameters), 28 steps × 28 features, 10 classes, batch ${batchSize}, Adam`,
    );
    const rows: BenchRow[] = [];
    const seconds = raw.seconds as number;
    for (const name of [...new Set(raw.engines as EngineName[])]) {
      const threadCounts = name === 'math' ? [...new Set(raw.threads as number[])] : [1];
      for (const threads of threadCounts) {
        output.log(`timing ${name}${threads > 1 ? ` with ${threads} threads` : ''}…`);
        rows.push(await benchEngine(name, { units, batchSize, seconds, threads }));
      }
    }
    output.result(rows);
    const base = rows.find((r) => r.engine === 'tfjs-wasm');
    output.line(
      formatTable(rows, [
        { header: 'engine', value: (r) => r.engine, align: 'left' },
        { header: 'threads', value: (r) => String(r.threads) },
        { header: 'train samples/s', value: (r) => r.trainSamplesPerSec.toFixed(1) },
        { header: 'infer samples/s', value: (r) => r.inferSamplesPerSec.toFixed(1) },
        { header: 'one image', value: (r) => `${r.latencyMs.toFixed(2)} ms` },
        ...(base
          ? [
              {
                header: 'train vs tfjs-wasm',
                value: (r: BenchRow) => `${(r.trainSamplesPerSec / base.trainSamplesPerSec).toFixed(2)}×`,
              },
            ]
          : []),
      ]),
    );
  });
};
