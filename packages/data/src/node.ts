export * from './index';
export type { EmbeddedOptions, FashionMnistAll, TrainTest } from './node/embedded';
export {
  FASHION_MNIST_CLASS_NAMES,
  FASHION_MNIST_TEST_COUNT,
  fashionMnist,
  mnist,
  readFashionMnistAll,
  resolvePackageDir,
  splitFashionMnist,
} from './node/embedded';
export type { FashionClassImages } from './node/fashion-json';
export { parseFashionClassJson } from './node/fashion-json';
export {
  readCifarFiles,
  readFileBytes,
  readIdxDataset,
  readIdxFile,
  readImageFile,
  readMaybeGzip,
} from './node/files';
export type { ImageFolderOptions, ImageFolderResult, SkippedFile } from './node/image-folder';
export { readImageFolder } from './node/image-folder';
export type { LoadDatasetOptions, LoadedDataset, TestSplit } from './node/load-dataset';
export { DATASET_SPECS, loadDataset } from './node/load-dataset';
