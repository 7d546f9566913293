/** Maps a value in [min, max] to a CSS colour for heatmaps: blue (low) through white to red (high). */
export function heatColor(value: number, min: number, max: number): string {
  const span = max - min || 1;
  const t = Math.min(1, Math.max(0, (value - min) / span));
  const lo = t < 0.5 ? 1 - 2 * t : 0;
  const hi = t > 0.5 ? 2 * t - 1 : 0;
  const r = Math.round(255 * (1 - lo));
  const g = Math.round(255 * (1 - lo - hi));
  const b = Math.round(255 * (1 - hi));
  return `rgb(${r}, ${g}, ${b})`;
}
