// Vitest setup of the packages whose tests run TensorFlow.js in Node (`packageTestConfig({ tfjs: true })`).
// tfjs' CPU backend prints a "looks like you are running TensorFlow.js in Node.js … install tfjs-node"
// banner the first time it holds a tensor, once in every test file. Production mode is the switch tfjs
// reads for that (its `PROD` flag silences its own `console.warn` / `console.log` notices and nothing
// else: the tests' and our libraries' warnings still show). The CLI turns it on for its users the same
// way (apps/cli/src/optional-packages.ts).
import { enableProdMode } from '@tensorflow/tfjs';

enableProdMode();
