// The WebAssembly GEMM on its own, relaxed SIMD (f32x4.relaxed_madd) against plain SIMD (mul + add), on the
// products of one GRU-128 training step (batch 128, 28 steps × 28 features), interleaved in rounds so that
// both builds see the same machine load. Operands live in the math core's allocator (the WASM arena when
// shared memory exists), as in training. Relaxed SIMD needs Node 22+, or Node 20 with the V8 flag:
//
//   pnpm --filter @gruvision/bench bench:gemm                               # Node 22+
//   cd bench && node --experimental-wasm-relaxed-simd --import tsx --conditions=@gruvision/source src/gemm.ts
//   options: --rounds R (default 5), --ms M per shape, build and round (default 300), --json
import os from 'node:os';
import { Rng } from '@gruvision/math';
import {
  allocFloat,
  gemmNN,
  gemmNT,
  gemmTN,
  initKernels,
  setKernels,
  setRelaxedSimd,
  wasmGemmFlavor,
  wasmRelaxedSimdSupported,
} from '@gruvision/math/kernels';
import { BATCH, FEATURES, log, optionValue, TIME_STEPS, UNITS } from './common';

const args = process.argv.slice(2);
const option = (name: string): string | undefined => optionValue(args, name);
const rounds = Number(option('--rounds') ?? 5);
const ms = Number(option('--ms') ?? 300);
const json = args.includes('--json');

const G = 3 * UNITS;
/** The GEMM shapes of a GRU-128 step: name, kind, M, N, K. */
const SHAPES: [string, 'NN' | 'NT' | 'TN', number, number, number][] = [
  ['input x·W [128,28]·[28,384]', 'NN', BATCH, G, FEATURES],
  ['recurrent h·U [128,128]·[128,384]', 'NN', BATCH, G, UNITS],
  ['backward dG·Uᵀ [128,384]·[384,128]', 'NT', BATCH, UNITS, G],
  ['gradient Hᵀ·dG [128,3584]ᵀ·[3584,384]', 'TN', UNITS, G, TIME_STEPS * BATCH],
];

const rng = new Rng(1);
const random = (n: number): Float32Array => {
  const x = allocFloat('float32', n) as Float32Array;
  for (let i = 0; i < n; i++) x[i] = rng.uniform(-1, 1);
  return x;
};

/**
 * Runs the product repeatedly for `ms` milliseconds; returns GFLOP per second of wall-clock time and per
 * second of this process's CPU time (2·M·N·K per product; the CPU figure is steadier on a loaded machine).
 */
function measure(kind: 'NN' | 'NT' | 'TN', M: number, N: number, K: number): { wall: number; cpu: number } {
  const a = random(M * K);
  const b = random(K * N);
  const c = allocFloat('float32', M * N) as Float32Array;
  const run =
    kind === 'NN'
      ? () => gemmNN(c, 0, N, a, 0, K, b, 0, N, M, N, K, 0)
      : kind === 'NT'
        ? () => gemmNT(c, 0, N, a, 0, K, b, 0, K, M, N, K, 0)
        : () => gemmTN(c, 0, N, a, 0, M, b, 0, N, M, N, K, 0);
  run();
  run();
  let runs = 0;
  const start = performance.now();
  const cpu = process.cpuUsage();
  while (performance.now() - start < ms) {
    run();
    runs++;
  }
  const used = process.cpuUsage(cpu);
  const flop = 2 * M * N * K * runs;
  return { wall: flop / ((performance.now() - start) * 1e6), cpu: flop / ((used.user + used.system) * 1e3) };
}

async function main(): Promise<void> {
  setKernels('wasm');
  if (!wasmRelaxedSimdSupported()) {
    log(
      `relaxed SIMD is not available on node ${process.version}: use Node 22+, or Node 20 with --experimental-wasm-relaxed-simd`,
    );
    process.exitCode = 1;
    return;
  }
  const flavors = ['relaxed', 'simd'] as const;
  const samples = new Map<string, { wall: number; cpu: number }[]>();
  for (let round = 0; round < rounds; round++) {
    // Alternate which build goes first.
    for (const flavor of round % 2 === 0 ? flavors : [...flavors].reverse()) {
      setRelaxedSimd(flavor === 'relaxed');
      await initKernels();
      if (wasmGemmFlavor() !== flavor)
        throw new Error(`asked for the ${flavor} GEMM, got ${wasmGemmFlavor()}`);
      for (const [name, kind, M, N, K] of SHAPES) {
        const key = `${name}\t${flavor}`;
        samples.set(key, [...(samples.get(key) ?? []), measure(kind, M, N, K)]);
      }
    }
    log(`round ${round + 1} of ${rounds}`);
  }
  const med = (xs: number[]): number => {
    const s = [...xs].sort((x, y) => x - y);
    return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
  };
  const rows = SHAPES.map(([name, kind, M, N, K]) => {
    const r = samples.get(`${name}\trelaxed`)!;
    const p = samples.get(`${name}\tsimd`)!;
    const relaxed = med(r.map((x) => x.wall));
    const simd = med(p.map((x) => x.wall));
    const relaxedCpu = med(r.map((x) => x.cpu));
    const simdCpu = med(p.map((x) => x.cpu));
    return {
      product: name,
      kind,
      M,
      N,
      K,
      relaxedGflops: relaxed,
      simdGflops: simd,
      ratio: relaxed / simd,
      relaxedGflopsPerCpuSec: relaxedCpu,
      simdGflopsPerCpuSec: simdCpu,
      cpuRatio: relaxedCpu / simdCpu,
    };
  });
  if (json) {
    process.stdout.write(
      `${JSON.stringify({ node: process.version, loadAverage: os.loadavg(), rounds, msPerMeasure: ms, rows }, null, 2)}\n`,
    );
    return;
  }
  const width = Math.max(...rows.map((r) => r.product.length));
  process.stdout.write(
    [
      `WebAssembly GEMM, relaxed SIMD vs plain SIMD: GFLOP per wall-clock second and per CPU second, medians of ${rounds} interleaved rounds (node ${process.version}, load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')})`,
      `${'product'.padEnd(width)}  relaxed     simd  relaxed/simd  relaxed/cpu-s  simd/cpu-s  relaxed/simd (cpu)`,
      ...rows.map(
        (r) =>
          `${r.product.padEnd(width)}  ${r.relaxedGflops.toFixed(2).padStart(7)}  ${r.simdGflops.toFixed(2).padStart(7)}  ${`${r.ratio.toFixed(2)}x`.padStart(12)}  ${r.relaxedGflopsPerCpuSec.toFixed(2).padStart(13)}  ${r.simdGflopsPerCpuSec.toFixed(2).padStart(10)}  ${`${r.cpuRatio.toFixed(2)}x`.padStart(18)}`,
      ),
      '',
    ].join('\n'),
  );
}

await main();
