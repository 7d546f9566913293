import type { ImageSet } from './image-set';
import { pixelStatistics } from './sequence-view';

/** What {@link summarize} reports about a set. */
export interface ImageSetSummary {
  count: number;
  shape: { height: number; width: number; channels: number };
  classNames: readonly string[];
  /** Images per class, by label. */
  classCounts: number[];
  /** Mean and std of the pixels scaled to [0, 1] (population std; 0 for a constant set). */
  mean: number;
  std: number;
}

/** Counts per class, pixel mean/std and shape of a set. */
export function summarize(set: ImageSet): ImageSetSummary {
  const classCounts = new Array<number>(set.classNames.length).fill(0);
  for (let i = 0; i < set.count; i++) classCounts[set.labels[i]!]!++;
  const { mean, std } = pixelStatistics(set);
  return {
    count: set.count,
    shape: { height: set.height, width: set.width, channels: set.channels },
    classNames: set.classNames,
    classCounts,
    mean,
    std,
  };
}
