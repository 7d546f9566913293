export { engineName } from './index';
