// The bench's output: the engines table, the epoch table and the peers table (or one `--json` document),
// from the rows `run.ts` measured in its child processes.
import os from 'node:os';
import { BATCH, type BenchResult, CLASSES, FEATURES, TIME_STEPS, UNITS } from './common';
import type { PeerRow, SkippedRow } from './peers';
import type { EpochTiming } from './threads';

/** An engine row with the peak RSS of the child process that measured it. */
export type EngineRow = BenchResult & { peakMemoryMB: number };
/** An epoch row: the engine, its timing and the peak RSS of its child process (the data included). */
export type EpochRow = EpochTiming & { engine: string; peakMemoryMB: number };
/** What a child process reports for its row. */
export type Measured = EngineRow | EpochRow | PeerRow | SkippedRow;

/** How the run was made: what both outputs state next to the numbers. */
export interface RunSettings {
  readonly json: boolean;
  /** Seconds per training measurement. */
  readonly budget: number;
  readonly rounds: number;
}

/** The benchmark's network and batch, as the `--json` documents state them. */
const SHAPE = {
  batch: BATCH,
  timeSteps: TIME_STEPS,
  features: FEATURES,
  classes: CLASSES,
  units: UNITS,
  optimizer: 'adam',
};

/** A column of a text table: its header and how a row fills it. */
export interface Column<Row> {
  readonly header: string;
  readonly value: (row: Row) => string;
}

/** Right-aligned columns (the first left-aligned) under a header, one line per row. */
export function formatTable<Row>(rows: readonly Row[], columns: readonly Column<Row>[]): string[] {
  const header = columns.map((c) => c.header);
  const cells = rows.map((row) => columns.map((c) => c.value(row)));
  const widths = header.map((h, i) => Math.max(h.length, ...cells.map((row) => row[i]!.length)));
  const line = (texts: string[]): string =>
    texts.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...cells.map(line)];
}

/** A number with `digits` decimals, `-` for none. */
const num = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
/** A ratio as `1.23x`, `-` for none. */
const ratio = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}x`);

/**
 * Ends a run's output: exit code 1 if anything failed; then the `--json` document (`doc` with what was
 * skipped and what failed) or the text `lines` followed by the total time, the skipped rows and the failures.
 */
function writeRun(
  doc: Record<string, unknown>,
  lines: string[],
  totalSeconds: number,
  skipped: SkippedRow[],
  failures: string[],
  json: boolean,
): void {
  if (failures.length > 0) process.exitCode = 1;
  if (json) {
    process.stdout.write(`${JSON.stringify({ ...doc, skipped, failures }, null, 2)}\n`);
    return;
  }
  process.stdout.write(
    [
      ...lines,
      `total ${totalSeconds.toFixed(0)} s`,
      ...skipped.map((r) => `skipped ${r.engine}: ${r.skipped}`),
      ...failures.map((f) => `FAILED: ${f}`),
      '',
    ].join('\n'),
  );
}

/** One row from its measurements in several rounds: the median of each number (null stays null). */
export function medianRow(list: Measured[]): Measured {
  if (list.length === 1) return list[0]!;
  const out: Record<string, unknown> = { ...list[0]! };
  for (const [key, value] of Object.entries(list[0]!)) {
    if (typeof value !== 'number') continue;
    const sorted = list.map((r) => (r as unknown as Record<string, number>)[key]!).sort((a, b) => a - b);
    const mid = sorted.length >> 1;
    out[key] = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  }
  return out as unknown as Measured;
}

/** The references of the peers table: the one-thread peers, and our own one-thread row. */
const PEER_REFERENCES = ['pytorch-1', 'ort-node-1', 'ort-web-1', 'math-wasm'] as const;

/**
 * The peers table (or `--json` document): every row's throughput and latency, with ratios to the
 * one-thread peers: training to pytorch-1 and math-wasm; batch inference to ort-node-1, ort-web-1,
 * pytorch-1; one-image latency as a multiple of ort-node-1's (below 1: faster).
 */
export function printPeers(
  rows: (EngineRow | PeerRow)[],
  skipped: SkippedRow[],
  failures: string[],
  totalSeconds: number,
  settings: RunSettings,
): void {
  const { json, budget, rounds } = settings;
  const ref = Object.fromEntries(
    PEER_REFERENCES.map((name) => [name, rows.find((r) => r.engine === name)] as const),
  ) as Record<(typeof PEER_REFERENCES)[number], EngineRow | PeerRow | undefined>;
  const over = (a: number | null | undefined, b: number | null | undefined): number | null =>
    a == null || b == null ? null : a / b;
  const results = rows.map((r) => ({
    ...r,
    ratios: {
      trainVsPytorch1: over(r.trainSamplesPerSec, ref['pytorch-1']?.trainSamplesPerSec),
      trainVsMathWasm: over(r.trainSamplesPerSec, ref['math-wasm']?.trainSamplesPerSec),
      inferVsOrtNode1: over(r.inferSamplesPerSec, ref['ort-node-1']?.inferSamplesPerSec),
      inferVsOrtWeb1: over(r.inferSamplesPerSec, ref['ort-web-1']?.inferSamplesPerSec),
      inferVsPytorch1: over(r.inferSamplesPerSec, ref['pytorch-1']?.inferSamplesPerSec),
      latencyVsOrtNode1: over(r.latencyMs, ref['ort-node-1']?.latencyMs),
    },
    // The same on process CPU time: what each row gets done per second of the CPU it actually had
    // (steadier than wall-clock ratios on a loaded machine; the same as them on an idle one, per thread).
    cpuRatios: {
      trainVsPytorch1: over(r.trainSamplesPerCpuSec, ref['pytorch-1']?.trainSamplesPerCpuSec),
      inferVsOrtNode1: over(r.inferSamplesPerCpuSec, ref['ort-node-1']?.inferSamplesPerCpuSec),
      inferVsOrtWeb1: over(r.inferSamplesPerCpuSec, ref['ort-web-1']?.inferSamplesPerCpuSec),
    },
  }));
  const doc = {
    benchmark: `GRU-${UNITS} MNIST rows, peers`,
    shape: SHAPE,
    node: process.version,
    loadAverage: os.loadavg(),
    secondsPerMeasurement: budget,
    rounds,
    totalSeconds,
    results,
  };
  if (json) {
    writeRun(doc, [], totalSeconds, skipped, failures, json);
    return;
  }
  const load = os.loadavg().map((l) => l.toFixed(2));
  const table = formatTable(results, [
    { header: 'engine', value: (r) => r.engine },
    { header: 'train/s', value: (r) => num(r.trainSamplesPerSec, 0) },
    { header: 'vs pytorch-1', value: (r) => ratio(r.ratios.trainVsPytorch1) },
    { header: 'vs math-wasm', value: (r) => ratio(r.ratios.trainVsMathWasm) },
    { header: 'infer/s', value: (r) => num(r.inferSamplesPerSec, 0) },
    { header: 'vs ort-node-1', value: (r) => ratio(r.ratios.inferVsOrtNode1) },
    { header: 'vs ort-web-1', value: (r) => ratio(r.ratios.inferVsOrtWeb1) },
    { header: 'vs pytorch-1', value: (r) => ratio(r.ratios.inferVsPytorch1) },
    { header: 'one image ms', value: (r) => r.latencyMs.toFixed(3) },
    { header: 'x ort-node-1', value: (r) => ratio(r.ratios.latencyVsOrtNode1) },
    { header: 'train/cpu-s', value: (r) => num(r.trainSamplesPerCpuSec, 0) },
    { header: 'vs pytorch-1', value: (r) => ratio(r.cpuRatios.trainVsPytorch1) },
    { header: 'infer/cpu-s', value: (r) => num(r.inferSamplesPerCpuSec, 0) },
    { header: 'vs ort-node-1', value: (r) => ratio(r.cpuRatios.inferVsOrtNode1) },
    { header: 'vs ort-web-1', value: (r) => ratio(r.cpuRatios.inferVsOrtWeb1) },
    { header: 'peak MB', value: (r) => r.peakMemoryMB.toFixed(0) },
  ]);
  writeRun(
    doc,
    [
      `GRU-${UNITS} on MNIST rows against the peers: batch ${BATCH}, ${TIME_STEPS} steps x ${FEATURES} features, ${CLASSES} classes, Adam (node ${process.version}, load average ${load.join(' ')})`,
      `samples per second of wall-clock time (/s) and of the row's process CPU time (/cpu-s); ratios to the one-thread peers measured in this run${rounds > 1 ? `; medians of ${rounds} interleaved rounds` : ''}`,
      "math-wasm-simd: the plain-SIMD GEMM; math-threads-N: the math engine over N worker threads; ort-*: inference only (PyTorch's ONNX export)",
      ...table,
    ],
    totalSeconds,
    skipped,
    failures,
    json,
  );
}

/** The engines table and the epoch table (or the `--json` document), with ratios to tfjs-wasm. */
export function printEngines(
  engineRows: EngineRow[],
  epochRows: EpochRow[],
  skipped: SkippedRow[],
  failures: string[],
  orthogonalMs: number,
  started: number,
  settings: RunSettings,
): void {
  const { json, budget, rounds } = settings;
  const ref = engineRows.find((r) => r.engine === 'tfjs-wasm');
  const results = engineRows.map((r) => ({
    ...r,
    trainRatioToWasm: ref ? r.trainSamplesPerSec / ref.trainSamplesPerSec : null,
    inferRatioToWasm: ref ? r.inferSamplesPerSec / ref.inferSamplesPerSec : null,
    trainCpuRatioToWasm: ref ? r.trainSamplesPerCpuSec / ref.trainSamplesPerCpuSec : null,
    inferCpuRatioToWasm: ref ? r.inferSamplesPerCpuSec / ref.inferSamplesPerCpuSec : null,
  }));
  const totalSeconds = (performance.now() - started) / 1000;
  const doc = {
    benchmark: `GRU-${UNITS} MNIST rows`,
    shape: SHAPE,
    node: process.version,
    secondsPerMeasurement: budget,
    rounds,
    totalSeconds,
    orthogonal128x384Ms: orthogonalMs,
    results,
    epochs: epochRows,
  };
  if (json) {
    writeRun(doc, [], totalSeconds, skipped, failures, json);
    return;
  }
  const engineTable = formatTable(results, [
    { header: 'engine', value: (r) => r.engine },
    { header: 'train/s', value: (r) => r.trainSamplesPerSec.toFixed(1) },
    { header: 'vs wasm', value: (r) => ratio(r.trainRatioToWasm) },
    { header: 'infer/s', value: (r) => r.inferSamplesPerSec.toFixed(1) },
    { header: 'vs wasm', value: (r) => ratio(r.inferRatioToWasm) },
    { header: 'train/cpu-s', value: (r) => r.trainSamplesPerCpuSec.toFixed(1) },
    { header: 'vs wasm', value: (r) => ratio(r.trainCpuRatioToWasm) },
    { header: 'infer/cpu-s', value: (r) => r.inferSamplesPerCpuSec.toFixed(1) },
    { header: 'vs wasm', value: (r) => ratio(r.inferCpuRatioToWasm) },
    { header: 'latency ms', value: (r) => r.latencyMs.toFixed(3) },
    { header: 'peak MB', value: (r) => r.peakMemoryMB.toFixed(0) },
    { header: 'batches', value: (r) => `${r.trainBatches}/${r.inferBatches}` },
  ]);
  const epochTable = formatTable(epochRows, [
    { header: 'epoch', value: (e) => e.engine },
    { header: 'threads', value: (e) => String(e.threads) },
    { header: 'samples', value: (e) => String(e.samples) },
    { header: 'seconds', value: (e) => e.seconds.toFixed(1) },
    { header: 'cpu-seconds', value: (e) => e.cpuSeconds.toFixed(1) },
    { header: 'samples/s', value: (e) => e.samplesPerSec.toFixed(0) },
    { header: 'final loss', value: (e) => e.finalLoss.toFixed(4) },
    { header: 'peak MB', value: (e) => e.peakMemoryMB.toFixed(0) },
  ]);
  writeRun(
    doc,
    [
      `GRU-${UNITS} on MNIST rows: batch ${BATCH}, ${TIME_STEPS} steps x ${FEATURES} features, ${CLASSES} classes, Adam (node ${process.version})`,
      'samples per second of wall-clock time (/s) and of process CPU time (/cpu-s); peak MB: peak RSS of the row’s own process',
      ...(results.length > 0 ? engineTable : []),
      ...(epochRows.length > 0
        ? ['', `one epoch, batch ${BATCH}, math engine (WASM kernels) over worker threads`, ...epochTable]
        : []),
      `math orthogonal initializer, ${UNITS}x${3 * UNITS}: ${orthogonalMs.toFixed(1)} ms (median of 7)`,
    ],
    totalSeconds,
    skipped,
    failures,
    json,
  );
}
