// Training throughput of the minimal cells (Feng et al. 2024) next to GRU and LSTM on the math engine
// (one thread), same hidden size, at 28 steps (MNIST rows: 28 × 28) and 784 steps (pixels: 784 × 1):
//
//   pnpm --filter @gruvision/bench bench:cells                  # units 128, batch 64, 3 s per row
//   pnpm --filter @gruvision/bench bench:cells -- --units 64 --seconds 5 --json
//
// Synthetic inputs (a step costs the same for any values). Reports samples per wall second and per
// CPU second (steadier on a loaded machine). minGRU / minLSTM train with the chunked parallel scan.
import type { CellType, ModelSpec } from '@gruvision/math';
import { mathEngine, parameterCount, Rng } from '@gruvision/math';
import { CLASSES, log, time } from './common';

const args = process.argv.slice(2);
const option = (name: string, fallback: number): number => {
  const i = args.indexOf(name);
  return i >= 0 ? Number(args[i + 1]) : fallback;
};
const units = option('--units', 128);
const batch = option('--batch', 64);
const seconds = option('--seconds', 3);
const cells: CellType[] = ['gru', 'lstm', 'mingru', 'minlstm'];
const shapes = [
  { name: 'rows', timeSteps: 28, features: 28 },
  { name: 'pixels', timeSteps: 784, features: 1 },
] as const;

interface CellRow {
  cell: CellType;
  shape: string;
  timeSteps: number;
  units: number;
  parameters: number;
  trainSamplesPerSec: number;
  trainSamplesPerCpuSec: number;
  batches: number;
}

const rows: CellRow[] = [];
for (const shape of shapes) {
  for (const cell of cells) {
    const spec: ModelSpec = {
      timeSteps: shape.timeSteps,
      features: shape.features,
      classes: CLASSES,
      layers: [{ cell, units }],
    };
    const net = await mathEngine.create(spec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
    const rng = new Rng(2);
    const x = Float32Array.from({ length: batch * shape.timeSteps * shape.features }, () =>
      rng.uniform(0, 1),
    );
    const y = Int32Array.from({ length: batch }, (_, i) => i % CLASSES);
    log(`${cell}-${units} ${shape.name} (${shape.timeSteps} steps)…`);
    const t = await time(() => net.trainBatch(x, y, batch), seconds, 2);
    net.dispose();
    rows.push({
      cell,
      shape: shape.name,
      timeSteps: shape.timeSteps,
      units,
      parameters: parameterCount(spec),
      trainSamplesPerSec: t.perSec * batch,
      trainSamplesPerCpuSec: t.perCpuSec * batch,
      batches: t.runs,
    });
  }
}

if (args.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ batch, rows, node: process.version }, null, 2)}\n`);
} else {
  const gru = (shape: string) => rows.find((r) => r.cell === 'gru' && r.shape === shape)!;
  process.stdout.write(`training, math engine, 1 thread, batch ${batch}, ${units} units\n`);
  process.stdout.write('cell     input   steps  params   samples/s  samples/CPU-s  vs GRU (CPU)\n');
  for (const r of rows) {
    const ratio = r.trainSamplesPerCpuSec / gru(r.shape).trainSamplesPerCpuSec;
    process.stdout.write(
      `${r.cell.padEnd(8)} ${r.shape.padEnd(7)} ${String(r.timeSteps).padStart(5)}  ${String(r.parameters).padStart(6)}  ${r.trainSamplesPerSec.toFixed(0).padStart(10)}  ${r.trainSamplesPerCpuSec.toFixed(0).padStart(13)}  ${ratio.toFixed(2).padStart(11)}×\n`,
    );
  }
}
