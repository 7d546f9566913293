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

/** Right-aligned columns (the first left-aligned) under a header. */
export function formatTable(header: string[], rows: string[][]): string[] {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]): string =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)];
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
type PeerReference = (typeof PEER_REFERENCES)[number];

/** A row of the peers table: peak memory only where each row had its own process. */
export type PeersTableRow = Omit<PeerRow, 'peakMemoryMB'> & { peakMemoryMB?: number };

/** What the Node peers table and the browser table (`--browser`) do differently. */
export interface PeersTable {
  /** `benchmark` of the JSON document. */
  readonly benchmark: string;
  /** Lines above the table (the first one gets the load average appended). */
  readonly heading: readonly string[];
  /** The references that get ratio columns (the others' columns are left out). */
  readonly references: readonly PeerReference[];
  /** The reference of the one-image latency column (`x <reference>`). */
  readonly latencyReference: 'ort-node-1' | 'ort-web-1';
  /** The `peak MB` column (each row measured in its own process). */
  readonly peakMemory: boolean;
  /** More fields of the JSON document, and lines under the table. */
  readonly extraJson?: Record<string, unknown>;
  readonly footer?: readonly string[];
}

/** The Node peers table of `pnpm bench --peers`. */
export const NODE_PEERS_TABLE: PeersTable = {
  benchmark: `GRU-${UNITS} MNIST rows, peers`,
  heading: [
    `GRU-${UNITS} on MNIST rows against the peers: batch ${BATCH}, ${TIME_STEPS} steps x ${FEATURES} features, ${CLASSES} classes, Adam (node ${process.version}`,
    "samples per second of wall-clock time (/s) and of the row's process CPU time (/cpu-s); ratios to the one-thread peers measured in this run",
    "math-wasm-simd: the plain-SIMD GEMM; math-threads-N: the math engine over N worker threads; ort-*: inference only (PyTorch's ONNX export)",
  ],
  references: PEER_REFERENCES,
  latencyReference: 'ort-node-1',
  peakMemory: true,
};

/**
 * The peers table (or `--json` document): every row's throughput and latency, with ratios to the
 * one-thread peers `table.references`: training to pytorch-1 and math-wasm; batch inference to
 * ort-node-1, ort-web-1, pytorch-1; one-image latency as a multiple of `table.latencyReference`'s
 * (below 1: faster).
 */
export function printPeers(
  rows: PeersTableRow[],
  skipped: SkippedRow[],
  failures: string[],
  totalSeconds: number,
  settings: RunSettings,
  table: PeersTable = NODE_PEERS_TABLE,
): void {
  const { json, budget, rounds } = settings;
  const ref = Object.fromEntries(
    PEER_REFERENCES.map((name) => [name, rows.find((r) => r.engine === name)] as const),
  ) as Record<PeerReference, PeersTableRow | undefined>;
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
      latencyVsOrtWeb1: over(r.latencyMs, ref['ort-web-1']?.latencyMs),
    },
    // The same on process CPU time: what each row gets done per second of the CPU it actually had
    // (steadier than wall-clock ratios on a loaded machine; the same as them on an idle one, per thread).
    cpuRatios: {
      trainVsPytorch1: over(r.trainSamplesPerCpuSec, ref['pytorch-1']?.trainSamplesPerCpuSec),
      trainVsMathWasm: over(r.trainSamplesPerCpuSec, ref['math-wasm']?.trainSamplesPerCpuSec),
      inferVsOrtNode1: over(r.inferSamplesPerCpuSec, ref['ort-node-1']?.inferSamplesPerCpuSec),
      inferVsOrtWeb1: over(r.inferSamplesPerCpuSec, ref['ort-web-1']?.inferSamplesPerCpuSec),
    },
  }));
  const load = os.loadavg().map((l) => l.toFixed(2));
  if (failures.length > 0) process.exitCode = 1;
  if (json) {
    const doc = {
      benchmark: table.benchmark,
      shape: SHAPE,
      node: process.version,
      loadAverage: os.loadavg(),
      secondsPerMeasurement: budget,
      rounds,
      totalSeconds,
      ...table.extraJson,
      results,
      skipped,
      failures,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const num = (v: number | null, digits: number): string => (v === null ? '-' : v.toFixed(digits));
  const ratio = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}x`);
  type Result = (typeof results)[number];
  const latencyRatio = table.latencyReference === 'ort-node-1' ? 'latencyVsOrtNode1' : 'latencyVsOrtWeb1';
  // Every column, with the reference row it needs (left out where that reference is not in this table).
  const columns: { header: string; needs?: PeerReference | 'peakMemory'; cell: (r: Result) => string }[] = [
    { header: 'engine', cell: (r) => r.engine },
    { header: 'train/s', cell: (r) => num(r.trainSamplesPerSec, 0) },
    { header: 'vs pytorch-1', needs: 'pytorch-1', cell: (r) => ratio(r.ratios.trainVsPytorch1) },
    { header: 'vs math-wasm', needs: 'math-wasm', cell: (r) => ratio(r.ratios.trainVsMathWasm) },
    { header: 'infer/s', cell: (r) => num(r.inferSamplesPerSec, 0) },
    { header: 'vs ort-node-1', needs: 'ort-node-1', cell: (r) => ratio(r.ratios.inferVsOrtNode1) },
    { header: 'vs ort-web-1', needs: 'ort-web-1', cell: (r) => ratio(r.ratios.inferVsOrtWeb1) },
    { header: 'vs pytorch-1', needs: 'pytorch-1', cell: (r) => ratio(r.ratios.inferVsPytorch1) },
    { header: 'one image ms', cell: (r) => r.latencyMs.toFixed(3) },
    { header: `x ${table.latencyReference}`, cell: (r) => ratio(r.ratios[latencyRatio]) },
    { header: 'train/cpu-s', cell: (r) => num(r.trainSamplesPerCpuSec, 0) },
    { header: 'vs pytorch-1', needs: 'pytorch-1', cell: (r) => ratio(r.cpuRatios.trainVsPytorch1) },
    { header: 'infer/cpu-s', cell: (r) => num(r.inferSamplesPerCpuSec, 0) },
    { header: 'vs ort-node-1', needs: 'ort-node-1', cell: (r) => ratio(r.cpuRatios.inferVsOrtNode1) },
    { header: 'vs ort-web-1', needs: 'ort-web-1', cell: (r) => ratio(r.cpuRatios.inferVsOrtWeb1) },
    { header: 'peak MB', needs: 'peakMemory', cell: (r) => (r.peakMemoryMB ?? 0).toFixed(0) },
  ];
  const shown = columns.filter(
    (c) =>
      c.needs === undefined ||
      (c.needs === 'peakMemory' ? table.peakMemory : table.references.includes(c.needs)),
  );
  const [first, ...rest] = table.heading;
  process.stdout.write(
    [
      `${first}, load average ${load.join(' ')})`,
      ...rest.map((line, i) =>
        i === 0 && rounds > 1 ? `${line}; medians of ${rounds} interleaved rounds` : line,
      ),
      ...formatTable(
        shown.map((c) => c.header),
        results.map((r) => shown.map((c) => c.cell(r))),
      ),
      ...(table.footer ?? []),
      `total ${totalSeconds.toFixed(0)} s`,
      ...skipped.map((r) => `skipped ${r.engine}: ${r.skipped}`),
      ...failures.map((f) => `FAILED: ${f}`),
      '',
    ].join('\n'),
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
  if (failures.length > 0) process.exitCode = 1;
  if (json) {
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
      skipped,
      failures,
    };
    process.stdout.write(`${JSON.stringify(doc, null, 2)}\n`);
    return;
  }
  const ratio = (v: number | null): string => (v === null ? '-' : `${v.toFixed(2)}x`);
  const engineTable = formatTable(
    [
      'engine',
      'train/s',
      'vs wasm',
      'infer/s',
      'vs wasm',
      'train/cpu-s',
      'vs wasm',
      'infer/cpu-s',
      'vs wasm',
      'latency ms',
      'peak MB',
      'batches',
    ],
    results.map((r) => [
      r.engine,
      r.trainSamplesPerSec.toFixed(1),
      ratio(r.trainRatioToWasm),
      r.inferSamplesPerSec.toFixed(1),
      ratio(r.inferRatioToWasm),
      r.trainSamplesPerCpuSec.toFixed(1),
      ratio(r.trainCpuRatioToWasm),
      r.inferSamplesPerCpuSec.toFixed(1),
      ratio(r.inferCpuRatioToWasm),
      r.latencyMs.toFixed(3),
      r.peakMemoryMB.toFixed(0),
      `${r.trainBatches}/${r.inferBatches}`,
    ]),
  );
  const epochTable = formatTable(
    ['epoch', 'threads', 'samples', 'seconds', 'cpu-seconds', 'samples/s', 'final loss', 'peak MB'],
    epochRows.map((e) => [
      e.engine,
      String(e.threads),
      String(e.samples),
      e.seconds.toFixed(1),
      e.cpuSeconds.toFixed(1),
      e.samplesPerSec.toFixed(0),
      e.finalLoss.toFixed(4),
      e.peakMemoryMB.toFixed(0),
    ]),
  );
  process.stdout.write(
    [
      `GRU-${UNITS} on MNIST rows: batch ${BATCH}, ${TIME_STEPS} steps x ${FEATURES} features, ${CLASSES} classes, Adam (node ${process.version})`,
      'samples per second of wall-clock time (/s) and of process CPU time (/cpu-s); peak MB: peak RSS of the row’s own process',
      ...(results.length > 0 ? engineTable : []),
      ...(epochRows.length > 0
        ? ['', `one epoch, batch ${BATCH}, math engine (WASM kernels) over worker threads`, ...epochTable]
        : []),
      `math orthogonal initializer, ${UNITS}x${3 * UNITS}: ${orthogonalMs.toFixed(1)} ms (median of 7)`,
      `total ${totalSeconds.toFixed(0)} s`,
      ...skipped.map((r) => `skipped ${r.engine}: ${r.skipped}`),
      ...failures.map((f) => `FAILED: ${f}`),
      '',
    ].join('\n'),
  );
}
