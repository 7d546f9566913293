import { GruMathError } from '../errors';
import type { WorkerReply, WorkerRequest } from './protocol';

/** One worker as the pool sees it (a Node worker thread or a browser Web Worker). */
export interface WorkerPort {
  post(request: WorkerRequest): void;
  terminate(): unknown;
  /** Node only: let an idle worker not keep the process alive. */
  ref?(): void;
  unref?(): void;
}

interface Pending {
  readonly resolve: (reply: WorkerReply) => void;
  readonly reject: (error: Error) => void;
}

/**
 * A fixed set of started workers running `ShardWorker`s, one request in flight per worker. The
 * environment adapter (Node `worker_threads`, browser `Worker`) forwards replies to `settle` and
 * failures of a thread to `fail`.
 */
export class ShardPool {
  readonly size: number;
  private readonly ports: readonly WorkerPort[];
  private readonly pending: (Pending | undefined)[];
  private failure: GruMathError | undefined;
  private terminating = false;

  constructor(ports: readonly WorkerPort[]) {
    this.ports = ports;
    this.size = ports.length;
    this.pending = ports.map(() => undefined);
  }

  /** Sends one request to worker `index`; resolves with its reply, rejects with a `GruMathError`. */
  request(index: number, request: WorkerRequest): Promise<WorkerReply> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    if (this.pending[index] !== undefined) {
      return Promise.reject(new Error(`worker ${index} already has a request in flight`));
    }
    return new Promise<WorkerReply>((resolve, reject) => {
      this.pending[index] = { resolve, reject };
      this.ports[index]!.post(request);
    });
  }

  /** Keeps the process alive while requests are in flight (Node workers are unref'ed when idle). */
  ref(): void {
    for (const p of this.ports) p.ref?.();
  }

  unref(): void {
    for (const p of this.ports) p.unref?.();
  }

  /** A reply from worker `index`. */
  settle(index: number, reply: WorkerReply): void {
    const pending = this.pending[index];
    if (pending === undefined) return;
    this.pending[index] = undefined;
    if (reply.type !== 'error') {
      pending.resolve(reply);
      return;
    }
    const code = reply.code ?? 'WORKER_FAILED';
    pending.reject(
      new GruMathError(
        code,
        `Parallel worker ${index} of ${this.size} failed: ${reply.name}: ${reply.message}`,
      ),
    );
  }

  /** Worker `index` died: every pending and later request fails with one `WORKER_FAILED` error. */
  fail(index: number, reason: string, cause?: unknown): void {
    if (this.terminating || this.failure !== undefined) return;
    this.failure = new GruMathError(
      'WORKER_FAILED',
      `Parallel worker ${index} of ${this.size} stopped: ${reason}. The network cannot continue; dispose it and create a new one.`,
      cause === undefined ? undefined : { cause },
    );
    for (let i = 0; i < this.size; i++) {
      const pending = this.pending[i];
      this.pending[i] = undefined;
      pending?.reject(this.failure);
    }
    void this.terminate();
  }

  /** The error that stopped the pool, if a worker died. */
  get error(): GruMathError | undefined {
    return this.failure;
  }

  /** Stops every worker; requests in flight fail with a "disposed" error. */
  async terminate(): Promise<void> {
    this.terminating = true;
    for (let i = 0; i < this.size; i++) {
      const pending = this.pending[i];
      this.pending[i] = undefined;
      pending?.reject(
        new GruMathError(
          'INVALID_ARGUMENT',
          'The network was disposed while a batch was running on its workers. Await trainBatch/predict before dispose().',
        ),
      );
    }
    await Promise.all(this.ports.map((p) => p.terminate()));
  }
}

/**
 * Waits until every worker said `ready` (or failed); on any failure terminates them all and throws the
 * lowest-numbered worker's error, so the message is reproducible.
 */
export async function awaitReady(
  ports: readonly WorkerPort[],
  ready: readonly Promise<void>[],
): Promise<ShardPool> {
  const pool = new ShardPool(ports);
  const started = await Promise.allSettled(ready);
  const failed = started.find((s) => s.status === 'rejected');
  if (failed !== undefined) {
    await pool.terminate();
    throw failed.reason;
  }
  return pool;
}
