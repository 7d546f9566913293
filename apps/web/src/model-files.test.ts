import { describe, expect, it } from 'vitest';
import { fetchModelFiles, weightPaths } from './model-files';

const modelJson = {
  format: 'layers-model',
  weightsManifest: [{ paths: ['a.bin'] }, { paths: ['sub/b.bin'] }],
};

function fakeFetch(files: Record<string, unknown>): typeof fetch {
  return (async (input: string | URL | Request) => {
    const url = String(input);
    const body = files[url];
    if (body === undefined) return new Response('missing', { status: 404 });
    return new Response(
      body instanceof Uint8Array ? new Blob([body as Uint8Array<ArrayBuffer>]) : JSON.stringify(body),
    );
  }) as typeof fetch;
}

describe('fetchModelFiles', () => {
  it('fetches model.json and joins its weight files in manifest order, relative to its URL', async () => {
    const files = await fetchModelFiles(
      'http://x/models/m/model.json',
      fakeFetch({
        'http://x/models/m/model.json': modelJson,
        'http://x/models/m/a.bin': new Uint8Array([1, 2]),
        'http://x/models/m/sub/b.bin': new Uint8Array([3]),
      }),
    );
    expect(files.modelJson).toEqual(modelJson);
    expect(Array.from(files.weightData)).toEqual([1, 2, 3]);
  });

  it('says which file is missing and how to build the models', async () => {
    await expect(
      fetchModelFiles('http://x/m/model.json', fakeFetch({ 'http://x/m/model.json': modelJson })),
    ).rejects.toThrow(
      'Could not fetch http://x/m/a.bin (HTTP 404). Build the demo models with `pnpm --filter @gruvision/web models`.',
    );
  });

  it('rejects a model.json that is not JSON', async () => {
    const html = (async () => new Response('<!doctype html>')) as unknown as typeof fetch;
    await expect(fetchModelFiles('http://x/m/model.json', html)).rejects.toThrow(
      'http://x/m/model.json is not JSON: it is not a model.json. Point the page at a model directory.',
    );
  });

  it('rejects a JSON file that is not a layers model', () => {
    expect(() => weightPaths({ format: 'graph-model' }, 'm.json')).toThrow(
      'm.json has no weightsManifest: it is not a TensorFlow.js layers-model model.json.',
    );
    expect(() => weightPaths({ weightsManifest: [{ paths: [] }] }, 'm.json')).toThrow(
      'm.json lists no weight files in its weightsManifest.',
    );
  });
});
