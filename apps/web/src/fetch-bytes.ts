// Binary files (models' weights, image packs, TensorFlow.js' .wasm binaries) are shipped twice by the
// build: as they are, and gzip-compressed as `<name>.gz` (vite.config.ts, `precompressBins` and
// `precompressWasm`). The page fetches the small twin and unpacks it itself (DecompressionStream), so
// every static host sends, and the offline cache keeps, the compressed bytes: the 1.6 MB MNIST training
// subset travels as about 0.3 MB, tfjs' SIMD binary as about a third of its 0.42 MB.

/** Files the build ships with a `.gz` twin. */
export const PRECOMPRESSED = /\.(bin|wasm)$/;

/** The result of `fetchBytes`: which URL answered, how, and its bytes (empty unless `ok`). */
export interface FetchedBytes {
  readonly url: string;
  readonly ok: boolean;
  readonly status: number;
  readonly bytes: Uint8Array;
}

/** gzip data (magic 1f 8b) unpacked; other bytes as they are. */
export async function gunzip(bytes: Uint8Array): Promise<Uint8Array> {
  if (bytes.length < 2 || bytes[0] !== 0x1f || bytes[1] !== 0x8b) return bytes;
  const stream = new Blob([bytes as Uint8Array<ArrayBuffer>])
    .stream()
    .pipeThrough(new DecompressionStream('gzip'));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/**
 * The bytes of `url`. For a `.bin` or `.wasm` file the `.gz` twin is fetched and unpacked (unless the server already
 * decoded it, `Content-Encoding: gzip`); a host without the twin (404) gets the plain file. Network
 * errors are thrown as `fetch` throws them.
 */
export async function fetchBytes(url: string, fetchImpl: typeof fetch = fetch): Promise<FetchedBytes> {
  if (PRECOMPRESSED.test(new URL(url, 'http://localhost/').pathname)) {
    const packed = `${url}.gz`;
    const res = await fetchImpl(packed);
    if (res.ok) {
      const raw = new Uint8Array(await res.arrayBuffer());
      const decoded = /gzip/.test(res.headers.get('content-encoding') ?? '');
      return { url: packed, ok: true, status: res.status, bytes: decoded ? raw : await gunzip(raw) };
    }
    if (res.status !== 404) return { url: packed, ok: false, status: res.status, bytes: new Uint8Array(0) };
  }
  const res = await fetchImpl(url);
  return {
    url,
    ok: res.ok,
    status: res.status,
    bytes: res.ok ? new Uint8Array(await res.arrayBuffer()) : new Uint8Array(0),
  };
}

/**
 * A Blob URL (type `application/wasm`, which WebAssembly streaming compilation requires) holding the
 * unpacked bytes of a `.wasm` file fetched as its `.gz` twin: TensorFlow.js instantiates its binary from
 * a URL (`setWasmPaths`), so it gets this one. Revoke it once tfjs is initialized. Throws when the file
 * cannot be fetched.
 */
export async function wasmBlobUrl(url: string, fetchImpl: typeof fetch = fetch): Promise<string> {
  const got = await fetchBytes(url, fetchImpl);
  if (!got.ok) throw new Error(`Could not fetch ${got.url} (HTTP ${got.status}).`);
  return URL.createObjectURL(new Blob([got.bytes as Uint8Array<ArrayBuffer>], { type: 'application/wasm' }));
}
