// Mutations of a saved model folder, shared by the property tests (bounded, in `pnpm test`) and the
// model-folder fuzz script (`pnpm fuzz:model`, for an hour if you like). Each mutation is a pure
// description, applied to a fresh copy of a valid folder.
import { execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** A path into a JSON document: object keys and array indices. */
export type JsonPath = readonly (string | number)[];

/** Every path of a JSON value (the root is `[]`), down to `maxDepth` levels, without recursion. */
export function jsonPaths(value: unknown, maxDepth = 24): JsonPath[] {
  const out: JsonPath[] = [];
  const stack: [unknown, JsonPath][] = [[value, []]];
  while (stack.length > 0) {
    const [node, at] = stack.pop()!;
    out.push(at);
    if (node === null || typeof node !== 'object' || at.length >= maxDepth) continue;
    const entries = Object.entries(node);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      stack.push([child, [...at, Array.isArray(node) ? Number(key) : key]]);
    }
  }
  return out;
}

/** Returns a deep copy of `doc` with the value at `path` replaced (or deleted when `value` is `undefined`). */
export function setAt(doc: unknown, path: JsonPath, value: unknown): unknown {
  if (path.length === 0) return value;
  const copy = structuredClone(doc) as Record<string | number, unknown>;
  let node = copy;
  for (const key of path.slice(0, -1)) node = node[key] as Record<string | number, unknown>;
  const last = path[path.length - 1]!;
  if (value === undefined) {
    if (Array.isArray(node)) node.splice(Number(last), 1);
    else delete node[last];
  } else if (last === '__proto__') {
    Object.defineProperty(node, last, { value, enumerable: true, writable: true, configurable: true });
  } else {
    node[last] = value;
  }
  return copy;
}

/** Values that have broken loaders before: wrong types, extremes, deep nesting, prototype keys. */
export function nastyValues(): unknown[] {
  let deep: unknown = 0;
  for (let i = 0; i < 100; i++) deep = [deep];
  return [
    null,
    true,
    0,
    -1,
    0.5,
    1e308,
    -1e308,
    2 ** 31,
    2 ** 53,
    65_536,
    100_000,
    1_000_000,
    '',
    'NaN',
    'x'.repeat(10_000),
    '../../etc/passwd',
    '/dev/zero',
    [],
    {},
    [1, 2, 3],
    { __proto__: { polluted: true } },
    JSON.parse('{"__proto__": {"polluted": true}}'),
    deep,
  ];
}

/** What can be done to a folder besides editing its JSON. */
export const FILE_MUTATIONS = [
  'truncate-weights',
  'extend-weights',
  'empty-weights',
  'weights-nan',
  'weights-huge',
  'weights-random-bytes',
  'weights-link-outside',
  'weights-link-dev-zero',
  'weights-fifo',
  'weights-directory',
  'model-json-link-outside',
  'model-json-fifo',
  'model-json-empty',
  'model-json-random-text',
  'model-json-17mib',
  'model-json-deep',
  'model-json-bom',
] as const;
export type FileMutation = (typeof FILE_MUTATIONS)[number];

/** Applies a file-level mutation to the model folder `dir`; `scratch` is a folder outside it. `r` in [0, 1). */
export function mutateFiles(dir: string, scratch: string, mutation: FileMutation, r: number): void {
  const weights = join(dir, 'weights.bin');
  const modelJson = join(dir, 'model.json');
  const bytes = readFileSync(weights);
  const floatAt = 4 * Math.floor(r * (bytes.length / 4));
  const replace = (path: string) => rmSync(path, { recursive: true, force: true });
  switch (mutation) {
    case 'truncate-weights':
      writeFileSync(weights, bytes.subarray(0, Math.floor(r * bytes.length)));
      break;
    case 'extend-weights':
      writeFileSync(weights, Buffer.concat([bytes, Buffer.alloc(1 + Math.floor(r * 64))]));
      break;
    case 'empty-weights':
      writeFileSync(weights, '');
      break;
    case 'weights-nan':
      bytes.writeFloatLE(Number.NaN, floatAt);
      writeFileSync(weights, bytes);
      break;
    case 'weights-huge':
      for (let i = 0; i < bytes.length; i += 4) bytes.writeFloatLE(i % 8 === 0 ? 3.4e38 : -3.4e38, i);
      writeFileSync(weights, bytes);
      break;
    case 'weights-random-bytes':
      for (let i = 0; i < bytes.length; i++) bytes[i] = (bytes[i]! * 31 + i * 17 + Math.floor(r * 255)) & 255;
      writeFileSync(weights, bytes);
      break;
    case 'weights-link-outside': {
      const outside = join(scratch, 'outside.bin');
      writeFileSync(outside, bytes);
      unlinkSync(weights);
      symlinkSync(outside, weights);
      break;
    }
    case 'weights-link-dev-zero':
      unlinkSync(weights);
      symlinkSync('/dev/zero', weights);
      break;
    case 'weights-fifo':
      unlinkSync(weights);
      execFileSync('mkfifo', [weights]);
      break;
    case 'weights-directory':
      unlinkSync(weights);
      mkdirSync(weights);
      break;
    case 'model-json-link-outside': {
      const secret = join(scratch, 'passwd');
      writeFileSync(secret, 'root:x:0:0:root:/root:/bin/bash\n');
      unlinkSync(modelJson);
      symlinkSync(secret, modelJson);
      break;
    }
    case 'model-json-fifo':
      replace(modelJson);
      execFileSync('mkfifo', [modelJson]);
      break;
    case 'model-json-empty':
      writeFileSync(modelJson, '');
      break;
    case 'model-json-random-text':
      writeFileSync(modelJson, `root:x:0:0 ${Math.floor(r * 1e9)} {"format":`);
      break;
    case 'model-json-17mib': {
      const json = JSON.parse(readFileSync(modelJson, 'utf8'));
      json.userDefinedMetadata.padding = 'x'.repeat(17 * 1024 * 1024);
      writeFileSync(modelJson, JSON.stringify(json));
      break;
    }
    case 'model-json-deep':
      writeFileSync(
        modelJson,
        readFileSync(modelJson, 'utf8').replace('{', `{"junk":${'['.repeat(200_000)}${']'.repeat(200_000)},`),
      );
      break;
    case 'model-json-bom':
      writeFileSync(modelJson, `\ufeff${readFileSync(modelJson, 'utf8')}`);
      break;
  }
}
