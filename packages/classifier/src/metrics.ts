/** Precision, recall and F1 of one class. */
export interface ClassMetrics {
  readonly className: string;
  readonly precision: number;
  readonly recall: number;
  readonly f1: number;
  /** Number of test images whose true class is this one. */
  readonly support: number;
}

/** What `evaluate` returns. */
export interface Evaluation {
  readonly count: number;
  /** Mean cross-entropy. */
  readonly loss: number;
  readonly accuracy: number;
  /** The `k` of `topKAccuracy`. */
  readonly topK: number;
  /** Share of images whose true class is among the `topK` most probable. */
  readonly topKAccuracy: number;
  /** `confusion[trueClass][predictedClass]` = number of images. */
  readonly confusion: number[][];
  readonly perClass: ClassMetrics[];
  /** Unweighted mean of the per-class F1 scores. */
  readonly macroF1: number;
}

/** Accumulates classification metrics batch by batch from probabilities `[batch, classes]`. */
export class MetricsAccumulator {
  private count = 0;
  private lossSum = 0;
  private correct = 0;
  private topKCorrect = 0;
  private readonly confusion: number[][];

  constructor(
    private readonly classNames: readonly string[],
    private readonly topK: number,
  ) {
    const c = classNames.length;
    this.confusion = Array.from({ length: c }, () => new Array<number>(c).fill(0));
  }

  /** `probabilities: [batch, classes]`, `labels: [batch]`. */
  add(probabilities: Float32Array, labels: ArrayLike<number>, batch: number): void {
    const c = this.classNames.length;
    for (let b = 0; b < batch; b++) {
      const row = probabilities.subarray(b * c, (b + 1) * c);
      const label = labels[b]!;
      const p = row[label]!;
      this.lossSum += -Math.log(Math.max(p, 1e-12));
      const predicted = argMax(row);
      if (predicted === label) this.correct++;
      let above = 0;
      for (let j = 0; j < c; j++) {
        if (row[j]! > p || (row[j]! === p && j < label)) above++;
      }
      if (above < this.topK) this.topKCorrect++;
      this.confusion[label]![predicted]!++;
      this.count++;
    }
  }

  result(): Evaluation {
    const c = this.classNames.length;
    const perClass: ClassMetrics[] = this.classNames.map((className, k) => {
      let predictedAsK = 0;
      let support = 0;
      for (let i = 0; i < c; i++) {
        predictedAsK += this.confusion[i]![k]!;
        support += this.confusion[k]![i]!;
      }
      const tp = this.confusion[k]![k]!;
      const precision = predictedAsK === 0 ? 0 : tp / predictedAsK;
      const recall = support === 0 ? 0 : tp / support;
      const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
      return { className, precision, recall, f1, support };
    });
    const n = this.count;
    return {
      count: n,
      loss: n === 0 ? Number.NaN : this.lossSum / n,
      accuracy: n === 0 ? Number.NaN : this.correct / n,
      topK: this.topK,
      topKAccuracy: n === 0 ? Number.NaN : this.topKCorrect / n,
      confusion: this.confusion.map((row) => row.slice()),
      perClass,
      macroF1: perClass.reduce((sum, m) => sum + m.f1, 0) / Math.max(1, c),
    };
  }
}

/** Index of the largest value (the first one on ties). */
export function argMax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i]! > values[best]!) best = i;
  return best;
}

/** Indices of the `k` largest values, largest first (lower index first on ties). */
export function topIndices(values: ArrayLike<number>, k: number): number[] {
  const order = Array.from({ length: values.length }, (_, i) => i);
  order.sort((a, b) => values[b]! - values[a]! || a - b);
  return order.slice(0, Math.min(k, values.length));
}
