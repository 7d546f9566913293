// Training throughput of every cell on the math engine (one thread), same hidden size, at 28 steps
// (MNIST rows: 28 × 28) and 784 steps (pixels: 784 × 1), with each cell's time per FLOP next to GRU's:
//
//   pnpm --filter @gruvision/bench bench:cells                  # units 128, batch 64, 3 s per row
//   pnpm --filter @gruvision/bench bench:cells -- --units 64 --seconds 5 --json
//   pnpm --filter @gruvision/bench bench:cells -- --cells gru,lstm --shapes rows
//
// Synthetic inputs (a step costs the same for any values). Reports samples per wall second and per
// CPU second (steadier on a loaded machine). minGRU / minLSTM train with the chunked parallel scan.
//
// FLOPs per training sample count the matrix products only, 2 per multiply-add: forward
// 2·T·G·(I + u) per recurrent layer (G = gates·u; the minimal cells have no recurrent product, so
// 2·T·G·I) plus 2·u·classes for the head, times 3 for training (the forward product and the two
// backward ones: into the weights and into the inputs / previous state). "time/FLOP vs GRU" is the
// cell's CPU time per FLOP over GRU's at the same shape (1.00 = as efficient; the gate math is extra work
// these FLOPs do not count).
//
// Same parameter budget: at 28 steps minGRU and minLSTM with the units that give GRU-128's parameter
// count (61 578; minGRU-905: 61 550, minLSTM-635: 61 605). At 784 steps the other way round: one feature
// per step leaves a minimal layer 2·(1 + 1)·u weights, so matching GRU-128's 51 210 would take minGRU-3657
// (its [784, 64, 7314] pre-activation and gate buffers alone are 1.5 GB each); instead GRU with the units
// that give minGRU-128's and minLSTM-128's parameter counts.
import type { CellType, ModelSpec } from '@gruvision/math';
import { gateCount, isMinCell, mathEngine, parameterCount, Rng } from '@gruvision/math';
import { numberArg } from './args';
import { CLASSES, log, time } from './common';

const args = process.argv.slice(2);
const list = (name: string, fallback: readonly string[]): string[] => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1]!.split(',') : [...fallback];
};
const units = numberArg('--units', 128);
const batch = numberArg('--batch', 64);
const seconds = numberArg('--seconds', 3);
const cells = list('--cells', ['gru', 'lstm', 'simpleRnn', 'mingru', 'minlstm']) as CellType[];
const shapes = [
  // Rows: the minimal cells with GRU's parameter count.
  {
    name: 'rows',
    timeSteps: 28,
    features: 28,
    matched: [
      ['mingru', 'gru'],
      ['minlstm', 'gru'],
    ],
  },
  // Pixels: GRU with the minimal cells' parameter counts.
  {
    name: 'pixels',
    timeSteps: 784,
    features: 1,
    matched: [
      ['gru', 'mingru'],
      ['gru', 'minlstm'],
    ],
  },
] as const;
type Shape = (typeof shapes)[number];
const shapeNames = list('--shapes', ['rows', 'pixels']);

const specOf = (shape: Shape, cell: CellType, n: number): ModelSpec => ({
  timeSteps: shape.timeSteps,
  features: shape.features,
  classes: CLASSES,
  layers: [{ cell, units: n }],
});

/** The units of `cell` whose parameter count is nearest `of`-`units`' at `shape`. */
function matchedUnits(shape: Shape, cell: CellType, of: CellType): number {
  const target = parameterCount(specOf(shape, of, units));
  const gap = (n: number) => Math.abs(parameterCount(specOf(shape, cell, n)) - target);
  let best = 1;
  for (let n = 2; parameterCount(specOf(shape, cell, n - 1)) < target; n++) if (gap(n) < gap(best)) best = n;
  return best;
}

/** FLOPs of the matrix products of one training sample (counted as in the header). */
function trainFlops(spec: ModelSpec): number {
  let inputs = spec.features;
  let flops = 0;
  for (const layer of spec.layers) {
    const G = gateCount(layer.cell) * layer.units;
    flops += 2 * spec.timeSteps * G * (inputs + (isMinCell(layer.cell) ? 0 : layer.units));
    inputs = layer.units;
  }
  return 3 * (flops + 2 * inputs * spec.classes);
}

interface CellRow {
  cell: CellType;
  shape: string;
  timeSteps: number;
  units: number;
  /** The cell whose 128-unit parameter count this row's units match, or null. */
  parameterMatched: CellType | null;
  parameters: number;
  /** FLOPs of the matrix products per training sample (see the header). */
  trainFlops: number;
  trainSamplesPerSec: number;
  trainSamplesPerCpuSec: number;
  batches: number;
}

const rows: CellRow[] = [];
for (const shape of shapes.filter((x) => shapeNames.includes(x.name))) {
  const runs = cells.map((cell) => ({ cell, n: units, parameterMatched: null as CellType | null }));
  for (const [cell, of] of shape.matched)
    if (cells.includes(cell) && cells.includes(of))
      runs.push({ cell, n: matchedUnits(shape, cell, of), parameterMatched: of });
  for (const { cell, n, parameterMatched } of runs) {
    const spec = specOf(shape, cell, n);
    const net = await mathEngine.create(spec, { seed: 1, optimizer: { type: 'adam', learningRate: 1e-3 } });
    const rng = new Rng(2);
    const x = Float32Array.from({ length: batch * shape.timeSteps * shape.features }, () =>
      rng.uniform(0, 1),
    );
    const y = Int32Array.from({ length: batch }, (_, i) => i % CLASSES);
    log(`${cell}-${n} ${shape.name} (${shape.timeSteps} steps)…`);
    await net.trainBatch(x, y, batch); // warm-up: compiles the kernels and JIT-compiles the loops
    const t = await time(() => net.trainBatch(x, y, batch), seconds, 2);
    net.dispose();
    rows.push({
      cell,
      shape: shape.name,
      timeSteps: shape.timeSteps,
      units: n,
      parameterMatched,
      parameters: parameterCount(spec),
      trainFlops: trainFlops(spec),
      trainSamplesPerSec: t.perSec * batch,
      trainSamplesPerCpuSec: t.perCpuSec * batch,
      batches: t.runs,
    });
  }
}

if (args.includes('--json')) {
  process.stdout.write(`${JSON.stringify({ batch, rows, node: process.version }, null, 2)}\n`);
} else {
  const gru = (shape: string) =>
    rows.find((r) => r.cell === 'gru' && r.shape === shape && !r.parameterMatched);
  process.stdout.write(
    `training, math engine, 1 thread, batch ${batch}, ${units} units (* = units matching the parameters of that cell at ${units})\n`,
  );
  process.stdout.write(
    'cell       units  input   steps  params  MFLOP/sample  samples/s  samples/CPU-s  vs GRU (CPU)  time/FLOP vs GRU\n',
  );
  for (const r of rows) {
    const base = gru(r.shape);
    const speed = base ? r.trainSamplesPerCpuSec / base.trainSamplesPerCpuSec : Number.NaN;
    const perFlop = base
      ? (base.trainSamplesPerCpuSec * base.trainFlops) / (r.trainSamplesPerCpuSec * r.trainFlops)
      : Number.NaN;
    const n = `${r.units}${r.parameterMatched ? `*${r.parameterMatched}` : ''}`;
    process.stdout.write(
      `${r.cell.padEnd(10)} ${n.padStart(5)}  ${r.shape.padEnd(7)} ${String(r.timeSteps).padStart(5)}  ${String(r.parameters).padStart(6)}  ${(r.trainFlops / 1e6).toFixed(2).padStart(12)}  ${r.trainSamplesPerSec.toFixed(0).padStart(9)}  ${r.trainSamplesPerCpuSec.toFixed(0).padStart(13)}  ${speed.toFixed(2).padStart(11)}×  ${perFlop.toFixed(2).padStart(15)}×\n`,
    );
  }
}
