// The cost of the thread-count-independent reduction (issue #15): every math-engine training batch is
// cut into REDUCTION_SHARDS (4) shards whose gradients are summed in shard order, whatever the thread
// count. Before, a batch was cut into `threads` shards (one per thread; one whole batch on 1 thread).
// Per thread that is the difference between one gradient over n samples and n/k-sample pieces:
//
//   1 thread:  one 128-sample gradient            vs 4 × 32 + the ordered sum
//   2 threads: one  64-sample gradient per thread vs 2 × 32 per thread (+ the ordered sum on the main thread)
//   4 threads: one  32-sample gradient per thread vs the same (no cost)
//
// GRU-128 on 28×28 rows, batch 128. Measured in process CPU time, the two variants interleaved, so a
// loaded machine slows both alike; prints the median ratio (new / old).
//
//   pnpm --filter @gruvision/bench bench:reduction [-- --rounds 9]
import { initializeWeights, Rng } from '@gruvision/math';
import {
  combineShards,
  NetworkCore,
  REDUCTION_SHARDS,
  type ShardResult,
  shardGradient,
} from '@gruvision/math/kernels';
import { BATCH, benchSpec, CLASSES, FEATURES, TIME_STEPS } from './common';

const args = process.argv.slice(2);
const rounds = (() => {
  const i = args.indexOf('--rounds');
  return i >= 0 ? Number(args[i + 1]) : 9;
})();

const rng = new Rng(1);
const x = Float32Array.from({ length: BATCH * TIME_STEPS * FEATURES }, () => rng.next());
const y = Int32Array.from({ length: BATCH }, () => rng.int(CLASSES));
const core = new NetworkCore(benchSpec, 'float32');
core.setWeights(initializeWeights(benchSpec, 1));
const shardGrads = Array.from({ length: REDUCTION_SHARDS }, () => new Float32Array(core.totalSize));
const reduced = new Float32Array(core.totalSize);
const options = { training: true, labelSmoothing: 0, l2: 0 };

/** Today's per-thread work: one gradient over `n` samples. */
function whole(n: number): void {
  core.computeGradients(x.subarray(0, n * TIME_STEPS * FEATURES), y.subarray(0, n), n, options);
}

/** The fixed reduction's per-thread work: `pieces` shards of `n / pieces` samples, copied, then summed in order. */
function sharded(n: number, pieces: number): void {
  const size = n / pieces;
  const shards = Array.from({ length: pieces }, (_, k) => ({ start: k * size, size }));
  const results: ShardResult[] = shards.map((shard, k) => {
    const r = shardGradient(core, x, y, BATCH, shard, null, [], 0);
    shardGrads[k]!.set(core.grads);
    return r;
  });
  combineShards(reduced, shards, results, shardGrads, n);
}

function cpuSeconds(step: () => void, repeats: number): number {
  const start = process.cpuUsage();
  for (let i = 0; i < repeats; i++) step();
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1e6;
}

const median = (values: number[]): number =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

const cases = [
  { label: '1 thread  (128 → 4 × 32)', old: () => whole(128), next: () => sharded(128, 4) },
  { label: '2 threads (64 → 2 × 32 per thread)', old: () => whole(64), next: () => sharded(64, 2) },
];
for (const c of cases) {
  c.old();
  c.next();
  const ratios: number[] = [];
  const olds: number[] = [];
  const news: number[] = [];
  for (let r = 0; r < rounds; r++) {
    const a = cpuSeconds(c.old, 3);
    const b = cpuSeconds(c.next, 3);
    olds.push(a / 3);
    news.push(b / 3);
    ratios.push(b / a);
  }
  process.stdout.write(
    `${c.label}: old ${(median(olds) * 1000).toFixed(1)} ms, new ${(median(news) * 1000).toFixed(1)} ms CPU per step; ` +
      `new/old median ${median(ratios).toFixed(3)} (min ${Math.min(...ratios).toFixed(3)}, max ${Math.max(...ratios).toFixed(3)}) over ${rounds} rounds\n`,
  );
}
