// Training throughput of the minimal cells (Feng et al. 2024) next to GRU and LSTM on the math engine
// (one thread), same hidden size, at 28 steps (MNIST rows: 28 × 28) and 784 steps (pixels: 784 × 1):
//
//   pnpm --filter @gruvision/bench bench:cells                  # units 128, batch 64, 3 s per row
//   pnpm --filter @gruvision/bench bench:cells -- --units 64 --seconds 5 --json
//
// Synthetic inputs (a step costs the same for any values). Reports samples per wall second and per
// CPU second (steadier on a loaded machine). minGRU / minLSTM train with the chunked parallel scan.
//
// At 28 steps two more rows: minGRU and minLSTM with the units that give GRU's parameter count (GRU-128:
// 61 578 parameters; minGRU-905: 61 550, minLSTM-635: 61 605), the "same parameter budget".
// Not at 784 steps: one feature per step leaves a minimal layer 2·(1 + 1)·u weights, so matching GRU-128's
// 51 210 takes minGRU-3657, whose [784, 64, 7314] pre-activation and gate buffers alone are 1.5 GB each.
import type { CellType, ModelSpec } from '@gruvision/math';
import { mathEngine, parameterCount, Rng } from '@gruvision/math';
import { numberArg } from './args';
import { CLASSES, log, time } from './common';

const args = process.argv.slice(2);
const units = numberArg('--units', 128);
const batch = numberArg('--batch', 64);
const seconds = numberArg('--seconds', 3);
const cells: CellType[] = ['gru', 'lstm', 'mingru', 'minlstm'];
/** Cells that also get a row with GRU's parameter count, at the shapes where that fits in memory. */
const matchedCells: CellType[] = ['mingru', 'minlstm'];
const shapes = [
  { name: 'rows', timeSteps: 28, features: 28, matched: true },
  { name: 'pixels', timeSteps: 784, features: 1, matched: false },
] as const;
type Shape = (typeof shapes)[number];

const specOf = (shape: Shape, cell: CellType, n: number): ModelSpec => ({
  timeSteps: shape.timeSteps,
  features: shape.features,
  classes: CLASSES,
  layers: [{ cell, units: n }],
});

/** The units of `cell` whose parameter count is nearest GRU-`units`' at `shape`. */
function matchedUnits(shape: Shape, cell: CellType): number {
  const target = parameterCount(specOf(shape, 'gru', units));
  const gap = (n: number) => Math.abs(parameterCount(specOf(shape, cell, n)) - target);
  let best = 1;
  for (let n = 2; parameterCount(specOf(shape, cell, n - 1)) < target; n++) if (gap(n) < gap(best)) best = n;
  return best;
}

interface CellRow {
  cell: CellType;
  shape: string;
  timeSteps: number;
  units: number;
  /** True for the rows whose units were chosen to match GRU's parameter count. */
  parameterMatched: boolean;
  parameters: number;
  trainSamplesPerSec: number;
  trainSamplesPerCpuSec: number;
  batches: number;
}

const rows: CellRow[] = [];
for (const shape of shapes) {
  const runs = cells.map((cell) => ({ cell, n: units, parameterMatched: false }));
  if (shape.matched) {
    for (const cell of matchedCells)
      runs.push({ cell, n: matchedUnits(shape, cell), parameterMatched: true });
  }
  for (const { cell, n, parameterMatched } of runs) {
    const spec = specOf(shape, cell, n);
    const net = await mathEngine.create(spec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
    const rng = new Rng(2);
    const x = Float32Array.from({ length: batch * shape.timeSteps * shape.features }, () =>
      rng.uniform(0, 1),
    );
    const y = Int32Array.from({ length: batch }, (_, i) => i % CLASSES);
    log(`${cell}-${n} ${shape.name} (${shape.timeSteps} steps)…`);
    const t = await time(() => net.trainBatch(x, y, batch), seconds, 2);
    net.dispose();
    rows.push({
      cell,
      shape: shape.name,
      timeSteps: shape.timeSteps,
      units: n,
      parameterMatched,
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
  process.stdout.write(
    `training, math engine, 1 thread, batch ${batch}, ${units} units (* = units matching GRU-${units}'s parameters)\n`,
  );
  process.stdout.write('cell     units  input   steps  params   samples/s  samples/CPU-s  vs GRU (CPU)\n');
  for (const r of rows) {
    const ratio = r.trainSamplesPerCpuSec / gru(r.shape).trainSamplesPerCpuSec;
    const n = `${r.units}${r.parameterMatched ? '*' : ' '}`;
    process.stdout.write(
      `${r.cell.padEnd(8)} ${n.padStart(5)}  ${r.shape.padEnd(7)} ${String(r.timeSteps).padStart(5)}  ${String(r.parameters).padStart(6)}  ${r.trainSamplesPerSec.toFixed(0).padStart(10)}  ${r.trainSamplesPerCpuSec.toFixed(0).padStart(13)}  ${ratio.toFixed(2).padStart(11)}×\n`,
    );
  }
}
