/**
 * How many of a pool's workers each training batch gets: chosen from what the machine delivers, not from
 * the core count. On a loaded machine (Linux shares the CPU per session with autogroup scheduling) more
 * threads can bring no more CPU and only add hand-offs, so two threads run slower than one.
 *
 * Starts with every worker. Every `every` batches it tries a neighbouring count (one fewer, then one more,
 * alternately) for `trial` batches, and moves there when the trial's median wall time per sample was at
 * least `margin` below the median of the current count's recent batches. Which workers compute which
 * shards never changes the result (see `REDUCTION_SHARDS`), so this choice changes speed only.
 */
export class ThreadChooser {
  private current: number;
  /** Seconds per sample of the current count's last batches (at most `WINDOW`). */
  private recent: number[] = [];
  private trialCount = 0;
  private trialTimes: number[] = [];
  private sinceTrial = 0;
  private direction = -1;

  constructor(
    readonly max: number,
    private readonly every = 24,
    private readonly trial = 3,
    private readonly margin = 0.1,
  ) {
    this.current = max;
  }

  /** The number of workers for the next batch. */
  next(): number {
    return this.trialCount > 0 ? this.trialCount : this.current;
  }

  /** Records the wall time per sample of the batch just run with `next()` workers. */
  record(secondsPerSample: number): void {
    if (this.trialCount > 0) {
      this.trialTimes.push(secondsPerSample);
      if (this.trialTimes.length < this.trial) return;
      if (median(this.trialTimes) < (1 - this.margin) * median(this.recent)) {
        this.current = this.trialCount;
        this.recent = this.trialTimes;
      }
      this.trialCount = 0;
      this.trialTimes = [];
      this.direction = -this.direction;
      return;
    }
    this.recent.push(secondsPerSample);
    if (this.recent.length > WINDOW) this.recent.shift();
    if (++this.sinceTrial < this.every || this.max === 1) return;
    this.sinceTrial = 0;
    let candidate = this.current + this.direction;
    if (candidate < 1 || candidate > this.max) {
      this.direction = -this.direction;
      candidate = this.current + this.direction;
    }
    this.trialCount = candidate;
  }
}

/** Batches of the current count the comparison looks at. */
const WINDOW = 8;

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[sorted.length >> 1]!;
}
