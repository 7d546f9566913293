export { fileSystemHandler } from './file-system-handler';
