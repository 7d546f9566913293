import { type FetchedBytes, fetchBytes } from './fetch-bytes';
import type { ModelFiles } from './protocol';

/** Thrown when a model's files cannot be fetched or are not a layers-model artifact. */
export class ModelFetchError extends Error {
  readonly code = 'MODEL_FETCH_FAILED';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ModelFetchError';
  }
}

/** The weight file paths of a layers-model `model.json`, in manifest order. */
export function weightPaths(modelJson: unknown, source: string): string[] {
  const manifest = (modelJson as { weightsManifest?: unknown } | null)?.weightsManifest;
  if (!Array.isArray(manifest)) {
    throw new ModelFetchError(
      `${source} has no weightsManifest: it is not a TensorFlow.js layers-model model.json.`,
    );
  }
  const paths = manifest.flatMap((group: { paths?: unknown }) =>
    Array.isArray(group?.paths) ? group.paths : [],
  );
  if (paths.length === 0 || !paths.every((p): p is string => typeof p === 'string')) {
    throw new ModelFetchError(`${source} lists no weight files in its weightsManifest.`);
  }
  return paths;
}

const rebuild = ' Build the demo models with `pnpm --filter @gruvision/web models`.';

/** Fetches `model.json` and its weight files (resolved against its URL; `.bin` files as their `.gz` twins). */
export async function fetchModelFiles(url: string, fetchImpl: typeof fetch = fetch): Promise<ModelFiles> {
  const get = async (target: string): Promise<Response> => {
    let res: Response;
    try {
      res = await fetchImpl(target);
    } catch (cause) {
      throw new ModelFetchError(`Could not fetch ${target}: ${(cause as Error).message}.`, { cause });
    }
    if (!res.ok) {
      throw new ModelFetchError(`Could not fetch ${target} (HTTP ${res.status}).${rebuild}`);
    }
    return res;
  };
  let modelJson: unknown;
  try {
    modelJson = await (await get(url)).json();
  } catch (cause) {
    if (cause instanceof ModelFetchError) throw cause;
    throw new ModelFetchError(
      `${url} is not JSON: it is not a model.json. Point the page at a model directory.`,
      {
        cause,
      },
    );
  }
  const parts = await Promise.all(
    weightPaths(modelJson, url).map(async (p) => {
      const target = new URL(p, url).href;
      let got: FetchedBytes;
      try {
        got = await fetchBytes(target, fetchImpl);
      } catch (cause) {
        throw new ModelFetchError(`Could not fetch ${target}: ${(cause as Error).message}.`, { cause });
      }
      if (!got.ok) throw new ModelFetchError(`Could not fetch ${got.url} (HTTP ${got.status}).${rebuild}`);
      return got.bytes;
    }),
  );
  return { modelJson, weightData: await joinParts(parts) };
}

/** The weight files of a manifest, in order, as one buffer (what `weightData` holds). */
export async function joinParts(parts: readonly Uint8Array[]): Promise<Uint8Array> {
  return new Uint8Array(await new Blob(parts as Uint8Array<ArrayBuffer>[]).arrayBuffer());
}
