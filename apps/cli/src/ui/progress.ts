import type { BatchEndInfo, EpochLog } from '@gruvision/classifier';
import { formatBar, formatDuration, formatPercent } from './format';
import type { Output } from './io';

/** One batch's progress, as the training callbacks report it. */
export interface BatchProgress {
  /** 0-based epoch. */
  readonly epoch: number;
  readonly epochs: number;
  /** 0-based batch within the epoch. */
  readonly batch: number;
  readonly batches: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly samplesPerSecond: number;
  /** Seconds left in the whole training run. */
  readonly etaSeconds: number;
}

/** One finished epoch. */
export interface EpochProgress {
  readonly epoch: number;
  readonly epochs: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly seconds: number;
  readonly samplesPerSecond?: number;
}

/**
 * Shows training progress on stderr: on a TTY one redrawn bar per epoch with loss, accuracy,
 * samples/s and ETA; otherwise one plain line per epoch. Under `--json` it also emits NDJSON
 * `epoch` events on stdout.
 */
export class TrainingProgress {
  private lastDraw = 0;
  private drawn = false;

  /**
   * `configuration` names the run when one command trains several (compare, sweep): it prefixes the
   * epoch lines on stderr and is added to the NDJSON `epoch` events.
   */
  constructor(
    private readonly output: Output,
    private readonly configuration?: { readonly name: string; readonly fields: Record<string, unknown> },
  ) {}

  batch(p: BatchProgress): void {
    if (!this.output.io.interactive) return;
    const now = Date.now();
    if (now - this.lastDraw < 100 && p.batch + 1 < p.batches) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(30, this.output.io.columns - 80));
    const text =
      `epoch ${p.epoch + 1}/${p.epochs} ${formatBar((p.batch + 1) / p.batches, width)} ` +
      `${p.batch + 1}/${p.batches}  loss ${p.loss.toFixed(4)}  acc ${formatPercent(p.accuracy)}  ` +
      `${Math.round(p.samplesPerSecond)} samples/s  ETA ${formatDuration(p.etaSeconds)}`;
    this.output.io.stderr.write(`\r\x1b[2K${text}`);
    this.drawn = true;
  }

  epoch(p: EpochProgress): void {
    this.clear();
    const val =
      p.valLoss !== undefined && p.valAccuracy !== undefined
        ? `  val_loss ${p.valLoss.toFixed(4)}  val_acc ${formatPercent(p.valAccuracy)}`
        : '';
    const speed = p.samplesPerSecond ? `  ${Math.round(p.samplesPerSecond)} samples/s` : '';
    this.output.log(
      `${this.configuration ? `${this.configuration.name} ` : ''}epoch ${p.epoch + 1}/${p.epochs}  loss ${p.loss.toFixed(4)}  acc ${formatPercent(p.accuracy)}${val}  ${formatDuration(p.seconds)}${speed}`,
    );
    this.output.event('epoch', { ...this.configuration?.fields, ...p, epoch: p.epoch + 1 });
  }

  /** Removes a half-drawn bar before other output. */
  clear(): void {
    if (this.drawn) {
      this.output.io.stderr.write('\r\x1b[2K');
      this.drawn = false;
    }
  }
}

/** `fit` callbacks that feed a `TrainingProgress` (the classifier counts epochs and batches from 1). */
export function progressCallbacks(
  progress: TrainingProgress,
  epochs: number,
): { onBatchEnd: (b: BatchEndInfo) => void; onEpochEnd: (log: EpochLog) => void } {
  return {
    onBatchEnd: (b) => progress.batch({ ...b, epoch: b.epoch - 1, batch: b.batch - 1 }),
    onEpochEnd: (log) =>
      progress.epoch({
        epoch: log.epoch - 1,
        epochs,
        loss: log.loss,
        accuracy: log.accuracy,
        ...(log.valLoss !== undefined ? { valLoss: log.valLoss } : {}),
        ...(log.valAccuracy !== undefined ? { valAccuracy: log.valAccuracy } : {}),
        seconds: log.seconds,
        samplesPerSecond: log.samplesPerSecond,
      }),
  };
}
