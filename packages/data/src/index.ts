export type { GruDataErrorCode } from './errors';
export { GruDataError } from './errors';
export type { ImageSet } from './image-set';
export { assertImageSet } from './image-set';
