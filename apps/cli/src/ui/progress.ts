import type { BatchEndInfo, EpochLog } from '@gruvision/classifier';
import { formatBar, formatDuration, formatPercent } from './format';
import type { Output } from './io';

/** One batch's progress, as the classifier's `onBatchEnd` reports it (epoch and batch counted from 1). */
export type BatchProgress = Pick<
  BatchEndInfo,
  'epoch' | 'epochs' | 'batch' | 'batches' | 'loss' | 'accuracy' | 'samplesPerSecond' | 'etaSeconds'
>;

/** One finished epoch (counted from 1), as the classifier's `onEpochEnd` logs it, and the run's epoch count. */
export type EpochProgress = Pick<
  EpochLog,
  'epoch' | 'loss' | 'accuracy' | 'valLoss' | 'valAccuracy' | 'seconds'
> & {
  readonly epochs: number;
  readonly samplesPerSecond?: number;
};

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
    if (now - this.lastDraw < 100 && p.batch < p.batches) return;
    this.lastDraw = now;
    const width = Math.max(10, Math.min(30, this.output.io.columns - 80));
    const text =
      `epoch ${p.epoch}/${p.epochs} ${formatBar(p.batch / p.batches, width)} ` +
      `${p.batch}/${p.batches}  loss ${p.loss.toFixed(4)}  acc ${formatPercent(p.accuracy)}  ` +
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
      `${this.configuration ? `${this.configuration.name} ` : ''}epoch ${p.epoch}/${p.epochs}  loss ${p.loss.toFixed(4)}  acc ${formatPercent(p.accuracy)}${val}  ${formatDuration(p.seconds)}${speed}`,
    );
    this.output.event('epoch', { ...this.configuration?.fields, ...p });
  }

  /** Removes a half-drawn bar before other output. */
  clear(): void {
    if (this.drawn) {
      this.output.io.stderr.write('\r\x1b[2K');
      this.drawn = false;
    }
  }
}

/** `fit` callbacks that feed a `TrainingProgress`. */
export function progressCallbacks(
  progress: TrainingProgress,
  epochs: number,
): { onBatchEnd: (b: BatchEndInfo) => void; onEpochEnd: (log: EpochLog) => void } {
  return {
    onBatchEnd: (b) => progress.batch(b),
    onEpochEnd: (log) =>
      progress.epoch({
        epoch: log.epoch,
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
