export type { ClassifierShapeOptions } from './default-spec';
export { defaultSpec } from './default-spec';
