// Where the time of the math engine goes (#18): GRU-128 on MNIST-row shapes (batch 128, 28 steps × 28
// features), one thread, `train` (trainBatchSync), `infer` (predictSync, batch 128) and `one` (predictInto,
// one image), each profiled in a child process with V8's sampling profiler (`node --cpu-prof`). Prints the
// functions with the most self time, as a share of the measured loop (start-up and warm-up left out); the
// WebAssembly kernels are named by their exports (`rowsN4`: 4-row GEMM panels, A's rows contiguous; `rowsT4`:
// Aᵀ stored; `sigmoid_of_sum`, `tanh_blend`, …: gate kernels).
//
//   pnpm --filter @gruvision/bench bench:profile                       # all three, 4 s each
//   options: --mode train|infer|one   --seconds S   --top N (default 12)   --json
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { MathNetwork, Rng } from '@gruvision/math';
import { initKernels, kernelModuleBytes, wasmGemmFlavor } from '@gruvision/math/kernels';
import { BATCH, benchSpec, CLASSES, FEATURES, log, optionValue, TIME_STEPS } from './common';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => optionValue(args, name);
const seconds = Number(option('--seconds') ?? 4);
const top = Number(option('--top') ?? 12);
const MODES = ['train', 'infer', 'one'] as const;
type Mode = (typeof MODES)[number];

/** The loop the profile is cut to: only samples with this function on the stack count. */
function profiledLoop(step: () => unknown, until: number): number {
  let runs = 0;
  while (performance.now() < until) {
    step();
    runs++;
  }
  return runs;
}

async function child(mode: Mode): Promise<void> {
  await initKernels();
  const rng = new Rng(1);
  const x = Float32Array.from({ length: BATCH * TIME_STEPS * FEATURES }, () => rng.next());
  const y = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
  const net = new MathNetwork(benchSpec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
  const out = new Float32Array(CLASSES);
  const x1 = x.subarray(0, TIME_STEPS * FEATURES);
  const step =
    mode === 'train'
      ? () => net.trainBatchSync(x, y, BATCH)
      : mode === 'infer'
        ? () => net.predictSync(x, BATCH)
        : () => net.predictInto(x1, 1, out);
  for (let i = 0; i < 3; i++) step();
  const runs = profiledLoop(step, performance.now() + seconds * 1000);
  log(`${mode}: ${runs} runs (GEMM: ${wasmGemmFlavor()})`);
}

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string };
  children?: number[];
}

/** Self time per function within `profiledLoop`, as fractions of the loop's time. */
function summarize(file: string, wasmNames: readonly string[]): { name: string; share: number }[] {
  const profile = JSON.parse(readFileSync(file, 'utf8')) as {
    nodes: ProfileNode[];
    samples: number[];
    timeDeltas: number[];
  };
  const parent = new Map<number, number>();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const inLoop = (id: number): boolean => {
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at))
      if (byId.get(at)!.callFrame.functionName === 'profiledLoop') return true;
    return false;
  };
  const self = new Map<string, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    if (!inLoop(id)) return;
    const frame = byId.get(id)!.callFrame;
    const wasm = /^wasm-function\[(\d+)\]$/.exec(frame.functionName);
    const name = wasm
      ? `wasm ${wasmNames[Number(wasm[1])] ?? frame.functionName}`
      : `${frame.functionName || '(anonymous)'} ${path.basename(frame.url)}`;
    const dt = profile.timeDeltas[i] ?? 0;
    self.set(name, (self.get(name) ?? 0) + dt);
    total += dt;
  });
  return [...self]
    .map(([name, t]) => ({ name, share: t / total }))
    .sort((a, b) => b.share - a.share)
    .slice(0, top);
}

async function main(): Promise<void> {
  const only = option('--mode');
  if (args.includes('--child')) return child(only as Mode);
  const modes = only === undefined ? MODES : MODES.filter((m) => m === only);
  if (modes.length === 0) throw new Error(`--mode must be one of ${MODES.join(', ')}, got ${only}.`);
  // The kernel module's functions in index order are its exports in order (see wasm/emitter.ts).
  const wasmNames = WebAssembly.Module.exports(new WebAssembly.Module(kernelModuleBytes())).map(
    (e) => e.name,
  );
  const results: Record<string, { name: string; share: number }[]> = {};
  for (const mode of modes) {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'gruvision-profile-'));
    const script = fileURLToPath(import.meta.url);
    const run = spawnSync(
      process.execPath,
      [
        ...process.execArgv,
        '--cpu-prof',
        `--cpu-prof-dir=${dir}`,
        script,
        '--child',
        '--mode',
        mode,
        '--seconds',
        String(seconds),
      ],
      { stdio: ['ignore', 'inherit', 'inherit'] },
    );
    if (run.status !== 0) throw new Error(`The ${mode} profile failed (exit ${run.status ?? run.signal}).`);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (file === undefined) throw new Error(`The ${mode} run wrote no .cpuprofile into ${dir}.`);
    results[mode] = summarize(path.join(dir, file), wasmNames);
    rmSync(dir, { recursive: true, force: true });
  }
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify({ node: process.version, load: os.loadavg(), results })}\n`);
    return;
  }
  const load = os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
  process.stdout.write(
    `self time within the measured loop (node ${process.version}, load average ${load})\n`,
  );
  for (const [mode, rows] of Object.entries(results)) {
    process.stdout.write(`${mode}\n`);
    for (const r of rows) process.stdout.write(`  ${(100 * r.share).toFixed(1).padStart(5)} %  ${r.name}\n`);
  }
}

await main();
