export * from './augment';
export type { Batch, BatchOptions } from './batches';
export { batches, countBatches } from './batches';
export * from './cifar';
export * from './decode-image';
export type { GruDataErrorCode } from './errors';
export { GruDataError } from './errors';
export type { IdxArray, IdxImageSetOptions, IdxImages } from './idx';
export {
  checkLabels,
  DIGIT_CLASS_NAMES,
  IDX_IMAGES_MAGIC,
  IDX_LABELS_MAGIC,
  readIdx,
  readIdxImageSet,
  readIdxImages,
  readIdxLabels,
  writeIdxImages,
  writeIdxLabels,
} from './idx';
export type { ImageSet } from './image-set';
export { assertImageSet } from './image-set';
export type { InputLimits } from './limits';
export { DEFAULT_MAX_BYTES, DEFAULT_MAX_PIXELS } from './limits';
export type { PreprocessDigitOptions } from './preprocess-digit';
export { preprocessDigit } from './preprocess-digit';
export { mixSeed, SeededRandom, seededPermutation } from './random';
export * from './raw-image';
export * from './sequence-view';
export * from './split';
export type { ImageSetSummary } from './summary';
export { summarize } from './summary';
