import { GruInteropError } from './errors';

/** One tensor of a safetensors file (float32 only: the dtype gruvision reads and writes). */
export interface SafetensorsTensor {
  readonly name: string;
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** A parsed safetensors file. */
export interface SafetensorsFile {
  readonly tensors: readonly SafetensorsTensor[];
  /** `__metadata__`: string keys to string values. */
  readonly metadata: Readonly<Record<string, string>>;
}

/** Largest accepted JSON header (the format's own reference reader uses 100 MB). */
export const MAX_SAFETENSORS_HEADER_BYTES = 100_000_000;
const DTYPE_BYTES: Record<string, number> = {
  F64: 8,
  F32: 4,
  F16: 2,
  BF16: 2,
  I64: 8,
  I32: 4,
  I16: 2,
  I8: 1,
  U8: 1,
  BOOL: 1,
};

/**
 * Writes a safetensors file: an 8-byte little-endian header length, the JSON header (padded with spaces
 * to a multiple of 8) naming each tensor's dtype `F32`, shape and byte range, then the little-endian data.
 */
export function writeSafetensors(
  tensors: readonly SafetensorsTensor[],
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const t of tensors) {
    const size = t.shape.reduce((a, b) => a * b, 1);
    if (size !== t.values.length) {
      throw new GruInteropError(
        'SHAPE_MISMATCH',
        `writeSafetensors: tensor ${t.name} has ${t.values.length} values for shape [${t.shape.join(', ')}].`,
      );
    }
    header[t.name] = { dtype: 'F32', shape: [...t.shape], data_offsets: [offset, offset + size * 4] };
    offset += size * 4;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const p = new Uint8Array(padded).fill(0x20);
    p.set(json);
    json = p;
  }
  const out = new Uint8Array(8 + json.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  let at = 8 + json.length;
  for (const t of tensors) {
    for (let i = 0; i < t.values.length; i++) view.setFloat32(at + i * 4, t.values[i]!, true);
    at += t.values.length * 4;
  }
  return out;
}

/**
 * Reads a safetensors file, treating it as untrusted: header length, JSON, dtypes, shapes and byte
 * ranges are checked before any tensor is read. Only `F32` tensors are accepted. Throws a
 * `GruInteropError` naming `file`.
 */
export function readSafetensors(
  bytes: Uint8Array,
  file = 'model.safetensors',
  maxBytes = 1024 * 1024 * 1024,
): SafetensorsFile {
  const bad = (
    problem: string,
    code: 'INVALID_FILE' | 'TOO_LARGE' | 'SHAPE_MISMATCH' = 'INVALID_FILE',
  ): never => {
    throw new GruInteropError(code, `${file}: ${problem}`, { file });
  };
  if (bytes.length > maxBytes)
    bad(
      `is ${bytes.length} bytes, more than the ${maxBytes} allowed. Raise the limit only for files you trust.`,
      'TOO_LARGE',
    );
  if (bytes.length < 8)
    bad(`is ${bytes.length} bytes, too short for a safetensors file (it is truncated or not safetensors).`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerBytes = view.getBigUint64(0, true);
  if (headerBytes > BigInt(MAX_SAFETENSORS_HEADER_BYTES)) {
    bad(
      `declares a ${headerBytes}-byte header, more than the ${MAX_SAFETENSORS_HEADER_BYTES} allowed; it is not a safetensors file.`,
      'TOO_LARGE',
    );
  }
  const n = Number(headerBytes);
  if (8 + n > bytes.length)
    bad(
      `declares a ${n}-byte header but holds only ${bytes.length - 8} bytes after the length; the file is truncated.`,
    );
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch {
    return bad('has a header that is not valid UTF-8 JSON; it is not a safetensors file or it is damaged.');
  }
  if (header === null || typeof header !== 'object' || Array.isArray(header))
    return bad('has a header that is not a JSON object.');
  const dataStart = 8 + n;
  const dataLength = bytes.length - dataStart;
  const metadata: Record<string, string> = {};
  const tensors: SafetensorsTensor[] = [];
  let end = 0;
  for (const [name, entry] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (entry === null || typeof entry !== 'object' || Array.isArray(entry))
        bad('has a __metadata__ that is not an object.');
      for (const [k, v] of Object.entries(entry as Record<string, unknown>)) {
        if (typeof v !== 'string') bad(`__metadata__.${k} is not a string.`);
        metadata[k] = v as string;
      }
      continue;
    }
    const e = entry as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    if (
      e === null ||
      typeof e !== 'object' ||
      typeof e.dtype !== 'string' ||
      !Array.isArray(e.shape) ||
      !Array.isArray(e.data_offsets)
    ) {
      bad(`tensor ${JSON.stringify(name)} lacks a dtype, shape or data_offsets.`);
    }
    const shape = e.shape as unknown[];
    if (shape.some((d) => !Number.isInteger(d) || (d as number) < 0))
      bad(`tensor ${name} has shape ${JSON.stringify(shape)}.`);
    const [begin, stop] = e.data_offsets as unknown[];
    if (
      !Number.isInteger(begin) ||
      !Number.isInteger(stop) ||
      (begin as number) < 0 ||
      (stop as number) < (begin as number)
    ) {
      bad(`tensor ${name} has data_offsets ${JSON.stringify(e.data_offsets)}.`);
    }
    const dtype = e.dtype as string;
    const width = DTYPE_BYTES[dtype];
    if (width === undefined) bad(`tensor ${name} has unknown dtype ${JSON.stringify(dtype)}.`);
    const size = (shape as number[]).reduce((a, b) => a * b, 1);
    if ((stop as number) - (begin as number) !== size * width!) {
      bad(
        `tensor ${name} spans ${(stop as number) - (begin as number)} bytes but ${dtype} [${shape.join(', ')}] needs ${size * width!}.`,
      );
    }
    if ((stop as number) > dataLength)
      bad(`tensor ${name} ends at byte ${stop} of a ${dataLength}-byte data section; the file is truncated.`);
    if (dtype !== 'F32') {
      bad(
        `tensor ${name} is ${dtype}; gruvision reads float32 (F32) weights only. Save the state dict after model.float().`,
        'SHAPE_MISMATCH',
      );
    }
    const values = new Float32Array(size);
    const at = dataStart + (begin as number);
    for (let i = 0; i < size; i++) values[i] = view.getFloat32(at + i * 4, true);
    tensors.push({ name, shape: shape as number[], values });
    end = Math.max(end, stop as number);
  }
  if (end < dataLength)
    bad(`holds ${dataLength - end} bytes after its last tensor; it is damaged or not a safetensors file.`);
  return { tensors, metadata };
}
