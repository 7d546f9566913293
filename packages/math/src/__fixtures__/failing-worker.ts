// A stand-in parallel worker for the error-path tests: ready at once, then a `train` request gets an
// error reply (as a throwing ShardWorker would send) and a `predict` request kills the thread.
import { parentPort } from 'node:worker_threads';
import type { WorkerReply, WorkerRequest } from '../parallel/protocol';

const port = parentPort!;
port.on('message', (request: WorkerRequest) => {
  if (request.type === 'predict') process.exit(3);
  port.postMessage({
    type: 'error',
    id: request.id,
    name: 'RangeError',
    message: 'shard buffer too small',
  } satisfies WorkerReply);
});
port.postMessage({ type: 'ready' } satisfies WorkerReply);
