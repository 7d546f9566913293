export * from './fs-atomic';
export * from './node-io';
