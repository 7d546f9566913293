import type { TrainEpoch, TrainProgress } from './protocol';

/**
 * The columns uPlot draws: x in epochs (a report after batch `step` sits at `step / batchesPerEpoch`),
 * then training loss and accuracy (every report), then held-out loss and accuracy (at each epoch end;
 * `null` elsewhere, joined across the gaps).
 */
export function trainColumns(
  reports: readonly TrainProgress[],
  epochs: readonly TrainEpoch[],
): [number[], (number | null)[], (number | null)[], (number | null)[], (number | null)[]] {
  const rows: {
    x: number;
    loss: number | null;
    acc: number | null;
    vLoss: number | null;
    vAcc: number | null;
  }[] = [];
  for (const r of reports)
    rows.push({ x: r.step / r.batchesPerEpoch, loss: r.loss, acc: r.accuracy, vLoss: null, vAcc: null });
  for (const e of epochs) {
    const finite = (v: number): number | null => (Number.isFinite(v) ? v : null);
    rows.push({ x: e.epoch, loss: null, acc: null, vLoss: finite(e.valLoss), vAcc: finite(e.valAccuracy) });
  }
  rows.sort((a, b) => a.x - b.x);
  return [
    rows.map((r) => r.x),
    rows.map((r) => r.loss),
    rows.map((r) => r.acc),
    rows.map((r) => r.vLoss),
    rows.map((r) => r.vAcc),
  ];
}
