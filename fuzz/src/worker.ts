// The child process of `pnpm fuzz`: runs inputs of one target and reports each outcome to the parent,
// which watches for hangs (no answer in time) and deaths (out of memory, aborts).
import * as fc from 'fast-check';
import { findTarget } from './registry';
import { type Outcome, runOne } from './target';

export interface WorkerJob {
  target: string;
  seed: number;
  from: number;
  to: number;
  /** Growth of the peak resident memory (MiB) during one input that counts as a memory blow-up. */
  memoryMb: number;
}

export type WorkerMessage =
  | { type: 'start'; index: number }
  | { type: 'done'; index: number; outcome: Outcome; message: string; grownMb: number }
  | { type: 'idle' };

/** The input number `index` of a run seeded `seed`: the same on every machine, for replays. */
export function inputAt<T>(arbitrary: fc.Arbitrary<T>, seed: number, index: number): T {
  return fc.sample(arbitrary, { seed: (Math.imul(seed, 0x9e3779b1) ^ index) | 0, numRuns: 1 })[0]!;
}

function peakMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}

function send(message: WorkerMessage): void {
  process.send?.(message);
}

if (process.send) {
  process.on('message', async (job: WorkerJob) => {
    const target = findTarget(job.target);
    if (!target) throw new Error(`no fuzz target ${job.target}`);
    for (let index = job.from; index < job.to; index++) {
      const input = inputAt(target.arbitrary, job.seed, index);
      send({ type: 'start', index });
      const before = peakMb();
      const { outcome, message } = await runOne(target, input);
      const grownMb = peakMb() - before;
      send({
        type: 'done',
        index,
        outcome: grownMb > job.memoryMb ? 'memory' : outcome,
        message:
          grownMb > job.memoryMb ? `peak memory grew by ${grownMb.toFixed(0)} MiB (${message})` : message,
        grownMb,
      });
    }
    send({ type: 'idle' });
  });
}
