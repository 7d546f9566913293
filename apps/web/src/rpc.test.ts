import { describe, expect, it } from 'vitest';
import { RemoteError, RpcClient, serve, withTransfer } from './rpc';

interface TestProtocol {
  requests: {
    double: { params: { n: number }; result: number };
    fail: { params: null; result: never };
    bytes: { params: number; result: Uint8Array };
  };
  events: { progress: { step: number } };
}

function channel(): { client: RpcClient<TestProtocol>; emit: (step: number) => void; close: () => void } {
  const { port1, port2 } = new MessageChannel();
  const emit = serve<TestProtocol>(port2 as unknown as Parameters<typeof serve>[0], {
    double: async ({ n }) => 2 * n,
    fail: async () => {
      throw Object.assign(new Error('Model not loaded: call load first.'), { code: 'NOT_LOADED' });
    },
    bytes: async (n) => {
      const out = new Uint8Array(n).fill(7);
      return withTransfer(out, [out.buffer]);
    },
  });
  port1.start();
  port2.start();
  const client = new RpcClient<TestProtocol>(port1 as unknown as Parameters<typeof serve>[0]);
  return {
    client,
    emit: (step) => emit('progress', { step }),
    close: () => {
      port1.close();
      port2.close();
    },
  };
}

describe('worker RPC', () => {
  it('answers requests, in any order, and transfers buffers', async () => {
    const { client, close } = channel();
    const [a, b, bytes] = await Promise.all([
      client.call('double', { n: 2 }),
      client.call('double', { n: 21 }),
      client.call('bytes', 3),
    ]);
    expect([a, b]).toEqual([4, 42]);
    expect(Array.from(bytes)).toEqual([7, 7, 7]);
    close();
  });

  it('re-throws worker errors with their code and message', async () => {
    const { client, close } = channel();
    const err = await client.call('fail', null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RemoteError);
    expect((err as RemoteError).message).toBe('Model not loaded: call load first.');
    expect((err as RemoteError).code).toBe('NOT_LOADED');
    close();
  });

  it('delivers events to listeners until they unsubscribe', async () => {
    const { client, emit, close } = channel();
    const seen: number[] = [];
    const off = client.on('progress', (e) => seen.push(e.step));
    emit(1);
    emit(2);
    await client.call('double', { n: 0 }); // a round trip flushes the events sent before it
    off();
    emit(3);
    await client.call('double', { n: 0 });
    expect(seen).toEqual([1, 2]);
    close();
  });

  it('rejects pending calls when closed', async () => {
    const { client, close } = channel();
    const pending = client.call('double', { n: 1 });
    client.close('The worker was stopped.');
    await expect(pending).rejects.toThrow('The worker was stopped.');
    close();
  });
});
