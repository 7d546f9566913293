import { resolveObjectURL } from 'node:buffer';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fetchBytes, gunzip, wasmBlobUrl } from './fetch-bytes';

const data = Uint8Array.from({ length: 5000 }, (_, i) => (i * 7) % 13);

/** A fake server: a map of URL to bytes (and headers); anything else is a 404. */
function server(
  files: Record<string, { body: Uint8Array; headers?: Record<string, string>; status?: number }>,
) {
  const asked: string[] = [];
  const fetchImpl = (async (url: string) => {
    asked.push(url);
    const f = files[url];
    if (!f) return new Response('missing', { status: 404 });
    return new Response(f.body as Uint8Array<ArrayBuffer>, { status: f.status ?? 200, headers: f.headers });
  }) as typeof fetch;
  return { fetchImpl, asked };
}

describe('fetchBytes', () => {
  it('fetches the .gz twin of a .bin file and unpacks it (reference: node:zlib gzip)', async () => {
    const { fetchImpl, asked } = server({ '/m/weights.bin.gz': { body: gzipSync(data, { level: 9 }) } });
    const got = await fetchBytes('/m/weights.bin', fetchImpl);
    expect(got).toMatchObject({ url: '/m/weights.bin.gz', ok: true, status: 200 });
    expect(got.bytes).toEqual(data);
    expect(asked).toEqual(['/m/weights.bin.gz']);
  });

  it('takes the bytes as they are when the server decoded them (Content-Encoding: gzip)', async () => {
    const { fetchImpl } = server({
      '/m/weights.bin.gz': { body: data, headers: { 'content-encoding': 'gzip' } },
    });
    expect((await fetchBytes('/m/weights.bin', fetchImpl)).bytes).toEqual(data);
  });

  it('falls back to the plain file when the host has no twin, and reports a failure of the twin', async () => {
    const plain = server({ '/m/weights.bin': { body: data } });
    const got = await fetchBytes('/m/weights.bin', plain.fetchImpl);
    expect(got).toMatchObject({ url: '/m/weights.bin', ok: true });
    expect(got.bytes).toEqual(data);
    expect(plain.asked).toEqual(['/m/weights.bin.gz', '/m/weights.bin']);
    const broken = server({ '/m/weights.bin.gz': { body: data, status: 500 } });
    expect(await fetchBytes('/m/weights.bin', broken.fetchImpl)).toMatchObject({
      url: '/m/weights.bin.gz',
      ok: false,
      status: 500,
    });
  });

  it('fetches other files directly', async () => {
    const { fetchImpl, asked } = server({ '/m/model.json': { body: data } });
    expect((await fetchBytes('/m/model.json', fetchImpl)).bytes).toEqual(data);
    expect(asked).toEqual(['/m/model.json']);
  });
});

describe('gunzip', () => {
  it('leaves bytes without the gzip magic alone', async () => {
    expect(await gunzip(Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(1, 2, 3));
  });
});

describe('wasmBlobUrl', () => {
  it('hands over the unpacked .wasm.gz twin as an application/wasm Blob URL (reference: node:zlib gzip)', async () => {
    const { fetchImpl, asked } = server({ '/a/tfjs-simd.wasm.gz': { body: gzipSync(data, { level: 9 }) } });
    const url = await wasmBlobUrl('/a/tfjs-simd.wasm', fetchImpl);
    expect(asked).toEqual(['/a/tfjs-simd.wasm.gz']);
    expect(url).toMatch(/^blob:/);
    const blob = resolveObjectURL(url);
    expect(blob?.type).toBe('application/wasm');
    expect(new Uint8Array(await blob!.arrayBuffer())).toEqual(data);
    URL.revokeObjectURL(url);
  });

  it('uses the plain .wasm on a host without twins, and names the file it could not fetch', async () => {
    const plain = server({ '/a/tfjs.wasm': { body: data } });
    const url = await wasmBlobUrl('/a/tfjs.wasm', plain.fetchImpl);
    expect(plain.asked).toEqual(['/a/tfjs.wasm.gz', '/a/tfjs.wasm']);
    expect(new Uint8Array(await resolveObjectURL(url)!.arrayBuffer())).toEqual(data);
    URL.revokeObjectURL(url);
    const none = server({});
    await expect(wasmBlobUrl('/a/tfjs.wasm', none.fetchImpl)).rejects.toThrow(
      'Could not fetch /a/tfjs.wasm (HTTP 404).',
    );
  });
});
