// One full MNIST-sized epoch (60 000 samples of 28×28, batch 128, GRU-128, Adam 1e-3) with the
// data-parallel math engine (the same measurement as the `epoch-N` rows of `run.ts`):
//
//   pnpm --filter @gruvision/bench bench:epoch                      # 2 threads
//   pnpm --filter @gruvision/bench bench:epoch -- --threads 1 --json
//
// The images are synthetic (uniform pixels, random labels): a step costs the same for any values, and
// the bench package does not depend on the dataset packages.
import { numberArg } from './args';
import { log, peakMemoryMB } from './common';
import { benchEpoch } from './threads';

const args = process.argv.slice(2);
const threads = numberArg('--threads', 2);
const samples = numberArg('--samples', 60_000);
const batch = numberArg('--batch', 128);

const timing = await benchEpoch({ threads, samples, batch }, log);
const result = { ...timing, peakMemoryMB: peakMemoryMB(), node: process.version };
if (args.includes('--json')) {
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
} else {
  process.stdout.write(
    `GRU-128 epoch, ${samples} samples, batch ${batch}, ${threads} thread(s): ${timing.seconds.toFixed(1)} s wall, ${timing.cpuSeconds.toFixed(1)} s CPU, ${timing.samplesPerSec.toFixed(0)} samples/s, peak RSS ${result.peakMemoryMB.toFixed(0)} MB\n`,
  );
}
