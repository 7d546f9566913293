// Run as a child process by parallel-network.test.ts: trains one batch over 2 worker threads from the
// TypeScript sources, prints the loss, and disposes (or not, with "keep") — the process must exit.
import { parallelMathEngine } from '../node';

const keep = process.argv.includes('keep');
const spec = { timeSteps: 3, features: 2, classes: 2, layers: [{ cell: 'gru' as const, units: 3 }] };
const net = await parallelMathEngine({ threads: 2 }).create(spec, { seed: 1 });
const x = Float32Array.from({ length: 4 * 6 }, (_, i) => Math.sin(i));
const result = await net.trainBatch(x, Int32Array.of(0, 1, 1, 0), 4);
process.stdout.write(`threads=${net.threads} loss=${result.loss.toFixed(6)}\n`);
if (!keep) net.dispose();
