// Web Worker entry of the data-parallel math engine in browsers (built as `dist/parallel-browser-worker.js`).
// The first message is `{ type: 'init', init }` (workers have no workerData); then requests as in Node.
import type { WorkerInit, WorkerReply, WorkerRequest } from './protocol';
import { ShardWorker } from './worker-core';

/** The parts of a dedicated worker's global scope this entry uses (the project compiles with DOM types). */
interface WorkerScope {
  onmessage: ((event: MessageEvent<{ type: 'init'; init: WorkerInit } | WorkerRequest>) => void) | null;
  postMessage(message: WorkerReply): void;
}

const scope = globalThis as unknown as WorkerScope;
let worker: ShardWorker | undefined;
scope.onmessage = (event) => {
  const message = event.data;
  if (message.type === 'init') {
    worker = new ShardWorker(message.init);
    scope.postMessage({ type: 'ready' });
    return;
  }
  if (worker === undefined) throw new Error('parallel worker got a request before its init message');
  scope.postMessage(worker.handle(message));
};
