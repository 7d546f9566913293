export { GruDataError } from './errors';
