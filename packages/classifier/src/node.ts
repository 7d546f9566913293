export { defaultSpec } from './default-spec';
