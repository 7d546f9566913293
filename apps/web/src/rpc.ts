/** The part of `Worker` / `MessagePort` / worker `self` the RPC needs. */
export interface Port {
  postMessage(message: unknown, transfer?: Transferable[]): void;
  addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
  removeEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
}

/** Request/response pairs and one-way events a worker speaks. */
export interface Protocol {
  readonly requests: Record<string, { params: unknown; result: unknown }>;
  readonly events: Record<string, unknown>;
}

type RequestMessage = {
  readonly kind: 'request';
  readonly id: number;
  readonly method: string;
  readonly params: unknown;
};
type ResponseMessage =
  | { readonly kind: 'response'; readonly id: number; readonly ok: true; readonly result: unknown }
  | { readonly kind: 'response'; readonly id: number; readonly ok: false; readonly error: RemoteErrorData };
type EventMessage = { readonly kind: 'event'; readonly name: string; readonly data: unknown };

/** What crosses the port when a handler throws. */
export interface RemoteErrorData {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
}

/** An error thrown in the worker, re-thrown on the page with the worker's name, code and message. */
export class RemoteError extends Error {
  readonly code: string | undefined;
  constructor(data: RemoteErrorData) {
    super(data.message);
    this.name = data.name;
    this.code = data.code;
  }
}

/** A handler may ask for some of its result's buffers to be transferred rather than copied. */
export interface WithTransfer<T> {
  readonly value: T;
  readonly transfer: Transferable[];
}

export function withTransfer<T>(value: T, transfer: Transferable[]): WithTransfer<T> {
  return { value, transfer };
}

function isWithTransfer(x: unknown): x is WithTransfer<unknown> {
  return typeof x === 'object' && x !== null && 'transfer' in x && 'value' in x && Array.isArray(x.transfer);
}

/** Handlers for every request of a protocol, each given a way to emit events. */
export type Handlers<P extends Protocol> = {
  [M in keyof P['requests']]: (
    params: P['requests'][M]['params'],
  ) => Promise<P['requests'][M]['result'] | WithTransfer<P['requests'][M]['result']>>;
};

/** Serves `handlers` on `port` (inside the worker). Returns `emit` for events. */
export function serve<P extends Protocol>(
  port: Port,
  handlers: Handlers<P>,
): <E extends keyof P['events'] & string>(name: E, data: P['events'][E], transfer?: Transferable[]) => void {
  port.addEventListener('message', (event: MessageEvent) => {
    const msg = event.data as RequestMessage;
    if (msg?.kind !== 'request') return;
    const handler = (handlers as Record<string, (p: unknown) => Promise<unknown>>)[msg.method];
    const reply = async (): Promise<void> => {
      try {
        if (!handler) throw new Error(`The worker has no method "${msg.method}".`);
        const out = await handler(msg.params);
        const [result, transfer] = isWithTransfer(out) ? [out.value, out.transfer] : [out, []];
        port.postMessage(
          { kind: 'response', id: msg.id, ok: true, result } satisfies ResponseMessage,
          transfer,
        );
      } catch (err) {
        const e = err instanceof Error ? err : new Error(String(err));
        const maybeCode: unknown = (e as Error & { code?: unknown }).code;
        const code = typeof maybeCode === 'string' ? maybeCode : undefined;
        const error: RemoteErrorData = { name: e.name, message: e.message, ...(code ? { code } : {}) };
        port.postMessage({ kind: 'response', id: msg.id, ok: false, error } satisfies ResponseMessage);
      }
    };
    void reply();
  });
  return (name, data, transfer = []) => {
    port.postMessage({ kind: 'event', name, data } satisfies EventMessage, transfer);
  };
}

/** The page's side of a worker protocol. */
export class RpcClient<P extends Protocol> {
  readonly #port: Port;
  #nextId = 1;
  readonly #pending = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  readonly #listeners = new Map<string, Set<(data: unknown) => void>>();
  readonly #onMessage = (event: MessageEvent): void => {
    const msg = event.data as ResponseMessage | EventMessage;
    if (msg?.kind === 'response') {
      const waiter = this.#pending.get(msg.id);
      if (!waiter) return;
      this.#pending.delete(msg.id);
      if (msg.ok) waiter.resolve(msg.result);
      else waiter.reject(new RemoteError(msg.error));
    } else if (msg?.kind === 'event') {
      for (const listener of this.#listeners.get(msg.name) ?? []) listener(msg.data);
    }
  };

  constructor(port: Port) {
    this.#port = port;
    port.addEventListener('message', this.#onMessage);
  }

  /** Sends a request; resolves with the worker's result or rejects with a `RemoteError`. */
  call<M extends keyof P['requests'] & string>(
    method: M,
    params: P['requests'][M]['params'],
    transfer: Transferable[] = [],
  ): Promise<P['requests'][M]['result']> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#pending.set(id, { resolve: resolve as (v: unknown) => void, reject });
      this.#port.postMessage({ kind: 'request', id, method, params } satisfies RequestMessage, transfer);
    });
  }

  /** Listens to an event; returns a function that stops listening. */
  on<E extends keyof P['events'] & string>(name: E, listener: (data: P['events'][E]) => void): () => void {
    let set = this.#listeners.get(name);
    if (!set) this.#listeners.set(name, (set = new Set()));
    const l = listener as (data: unknown) => void;
    set.add(l);
    return () => set.delete(l);
  }

  /** Rejects every pending call (e.g. after the worker was terminated) and stops listening. */
  close(reason: string): void {
    this.#port.removeEventListener('message', this.#onMessage);
    for (const { reject } of this.#pending.values()) reject(new Error(reason));
    this.#pending.clear();
  }
}
