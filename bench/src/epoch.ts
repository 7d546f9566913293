// One full MNIST-sized epoch (60 000 samples of 28×28, batch 128, GRU-128, Adam 1e-3) with the
// data-parallel math engine:
//
//   pnpm --filter @gruvision/bench bench:epoch                      # 2 threads
//   pnpm --filter @gruvision/bench bench:epoch -- --threads 1 --json
//
// The images are synthetic (uniform pixels, random labels): a step costs the same for any values, and
// the bench package does not depend on the dataset packages.
import { type ModelSpec, Rng } from '@gruvision/math';
import { parallelMathEngine } from '@gruvision/math/node';
import { timeEpoch } from './threads';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const threads = option('--threads', 2);
const samples = option('--samples', 60_000);
const batch = option('--batch', 128);

const spec: ModelSpec = { timeSteps: 28, features: 28, classes: 10, layers: [{ cell: 'gru', units: 128 }] };
const rng = new Rng(7);
const x = new Float32Array(samples * 28 * 28);
for (let i = 0; i < x.length; i++) x[i] = rng.next();
const y = Int32Array.from({ length: samples }, () => rng.int(10));

const net = await parallelMathEngine({ threads }).create(spec, {
  seed: 1,
  optimizer: { type: 'adam', learningRate: 1e-3 },
});
try {
  process.stderr.write(`epoch: ${samples} samples, batch ${batch}, ${threads} thread(s)\n`);
  const timing = await timeEpoch(net, x, y, batch, 1);
  const memory = process.memoryUsage();
  const result = { ...timing, rssMB: memory.rss / 2 ** 20, node: process.version };
  if (args.includes('--json')) {
    process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  } else {
    process.stdout.write(
      `GRU-128 epoch, ${samples} samples, batch ${batch}, ${threads} thread(s): ${timing.seconds.toFixed(1)} s wall, ${timing.cpuSeconds.toFixed(1)} s CPU, ${timing.samplesPerSec.toFixed(0)} samples/s, RSS ${result.rssMB.toFixed(0)} MB\n`,
    );
  }
} finally {
  net.dispose();
}
