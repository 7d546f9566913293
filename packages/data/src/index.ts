export type { AffineParameters, AugmentOptions, AugmentShape } from './augment';
export {
  AUGMENT_OPTION_KEYS,
  Augmenter,
  addNoise,
  affineImage,
  augmentsAnything,
  checkAugmentOptions,
  cutoutImage,
  DEFAULT_ELASTIC_SIGMA,
  displaceImage,
  elasticField,
  gaussian,
  gaussianKernel,
  sampleBilinear,
  shiftImage,
} from './augment';
export type { Batch, BatchOptions } from './batches';
export { batches, countBatches } from './batches';
export type { CifarOptions } from './cifar';
export {
  CIFAR10_CLASS_NAMES,
  CIFAR100_COARSE_CLASS_NAMES,
  CIFAR100_FINE_CLASS_NAMES,
  cifarClassNames,
  cifarRecordSize,
  readCifar,
  writeCifar,
} from './cifar';
export type { DecodeImageOptions, ImageFormat, ImageHeader } from './decode-image';
export { decodeImage, detectImageFormat, readImageHeader } from './decode-image';
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
export type { RawImage } from './raw-image';
export { assertRawImage, fitImage, resampleFloat, resizeImage, toChannels } from './raw-image';
export type { ImageShape, SequenceShape, SequenceView } from './sequence-view';
export {
  assertSequenceView,
  computeNormalization,
  fillSequence,
  fillSequenceFromPixels,
  imageToSequence,
  pixelStatistics,
  sequenceGather,
  viewShape,
} from './sequence-view';
export type { Split, SplitOptions } from './split';
export { concatImageSets, shuffleImageSet, stratifiedSplit, stratifiedSplitIndices, subset } from './split';
export type { ImageSetSummary } from './summary';
export { summarize } from './summary';
