// Node worker_threads entry of the data-parallel math engine (built as `dist/parallel-worker.js`).
import { parentPort, workerData } from 'node:worker_threads';
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol';
import { ShardWorker } from './worker-core';

const port = parentPort;
if (port === null) {
  throw new Error('@gruvision/math parallel-worker must run in a worker thread, not as a script.');
}
const worker = new ShardWorker(workerData as WorkerInit);
port.on('message', (request: WorkerRequest) => {
  port.postMessage(worker.handle(request));
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
