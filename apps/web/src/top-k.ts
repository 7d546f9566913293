/** One class of a ranking. */
export interface RankedClass {
  readonly index: number;
  readonly label: string;
  readonly probability: number;
}

/** The `k` most probable classes, most probable first; ties keep the lower class index first. */
export function topK(probabilities: ArrayLike<number>, labels: readonly string[], k: number): RankedClass[] {
  const order = Array.from({ length: probabilities.length }, (_, i) => i);
  order.sort((a, b) => probabilities[b]! - probabilities[a]! || a - b);
  return order.slice(0, Math.max(0, k)).map((index) => ({
    index,
    label: labels[index] ?? String(index),
    probability: probabilities[index]!,
  }));
}

/** `0.9731` → `97.3%`; values are clamped to [0, 1]. */
export function formatPercent(p: number): string {
  const v = Math.min(1, Math.max(0, Number.isFinite(p) ? p : 0));
  return `${(v * 100).toFixed(1)}%`;
}

/** A latency in milliseconds for display: `0.42 ms`, `12.3 ms`, `1.25 s`. */
export function formatLatency(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '—';
  if (ms < 10) return `${ms.toFixed(2)} ms`;
  if (ms < 1000) return `${ms.toFixed(1)} ms`;
  return `${(ms / 1000).toFixed(2)} s`;
}
