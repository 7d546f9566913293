export type { FileSystemHandlerLimits } from './file-system-handler';
export { fileSystemHandler } from './file-system-handler';
