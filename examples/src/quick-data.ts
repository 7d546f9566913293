import { type ImageSet, stratifiedSplitIndices, subset } from '@gruvision/data';

/** A stratified, seeded part of a train/test pair: enough for an example to run end to end in seconds. */
export function quickData<T extends { train: ImageSet; test: ImageSet }>(
  data: T,
  trainCount = 1000,
  testCount = 200,
): T {
  const part = (set: ImageSet, count: number): ImageSet =>
    count >= set.count ? set : subset(set, stratifiedSplitIndices(set, { count, seed: 1 }).validationIndices);
  return { ...data, train: part(data.train, trainCount), test: part(data.test, testCount) };
}
